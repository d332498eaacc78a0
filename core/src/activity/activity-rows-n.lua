--[[
  Reads the same fields of many viewers' activity hashes of one stream in one call (the summary's batch of
  500 viewers, instead of one HGETALL each), one string per viewer. Unlike activity-read-n.lua (the rollup's,
  '0' for a missing field), a missing field is left empty, so a reader can tell "never recorded" (no firstAt:
  the viewer only joined) from a recorded 0.
  Input:
    KEYS[1], KEYS[2], ... activity hashes (HASH metric -> count, firstAt, lastAt) of the viewers, all in the stream's slot
    ARGV[1..] the fields to read
  Output:
    one string per viewer, in KEYS order: the fields' values joined by ',' ('' for a missing field)
]]
local out, n = {}, #ARGV
for i = 1, #KEYS do
  local values = redis.call('HMGET', KEYS[i], unpack(ARGV))
  for j = 1, n do
    if not values[j] then values[j] = '' end
  end
  out[i] = table.concat(values, ',')
end
return out
