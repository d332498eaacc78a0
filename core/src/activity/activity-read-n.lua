--[[
  Reads the same fields of many viewers' activity hashes of one stream in one call (the rollup's batch),
  instead of one HMGET each.
  Input:
    KEYS[1], KEYS[2], ... activity hashes (HASH metric -> count) of the viewers, all in the stream's slot
    ARGV[1..] the fields to read
  Output:
    one flat list: the fields of the first viewer, then of the second, ... ('' for a missing field)
]]
local out = {}
for i = 1, #KEYS do
  local values = redis.call('HMGET', KEYS[i], unpack(ARGV))
  for j = 1, #ARGV do out[#out + 1] = values[j] or '' end
end
return out
