--[[
  Reads the same fields of many viewers' activity hashes of one stream in one call (the rollup's batch),
  instead of one HMGET each, packed as one string per viewer so the reply is one bulk string per viewer,
  not one per field. Each hash is read whole (HGETALL): it holds the few metrics the viewer has, so one pass
  over it costs Redis less than looking each asked field up.
  Input:
    KEYS[1], KEYS[2], ... activity hashes (HASH metric -> count) of the viewers, all in the stream's slot
    ARGV[1..] the fields to read
  Output:
    one string per viewer, in KEYS order: the fields' values joined by ',' ('0' for a missing field)
]]
local out, n = {}, #ARGV
local at = {}
for j = 1, n do at[ARGV[j]] = j end
for i = 1, #KEYS do
  local values = {}
  for j = 1, n do values[j] = '0' end
  local flat = redis.call('HGETALL', KEYS[i])
  for k = 1, #flat, 2 do
    local j = at[flat[k]]
    if j then values[j] = flat[k + 1] end
  end
  out[i] = table.concat(values, ',')
end
return out
