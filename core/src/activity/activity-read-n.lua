--[[
  Reads the same fields of many viewers' activity hashes of one stream in one call (the rollup's batch),
  instead of one HMGET each, packed as one string per viewer so the reply is one bulk string per viewer,
  not one per field.
  Input:
    KEYS[1], KEYS[2], ... activity hashes (HASH metric -> count) of the viewers, all in the stream's slot
    ARGV[1..] the fields to read
  Output:
    one string per viewer, in KEYS order: the fields' values joined by ',' ('0' for a missing field)
]]
local out, n = {}, #ARGV
for i = 1, #KEYS do
  local values = redis.call('HMGET', KEYS[i], unpack(ARGV))
  for j = 1, n do
    if not values[j] then values[j] = '0' end
  end
  out[i] = table.concat(values, ',')
end
return out
