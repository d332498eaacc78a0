--[[
  Pushes a drop's pending stock change if no push happened in the current interval (any node).
  Input:
    KEYS[1] drop meta (HASH remaining)
    KEYS[2] stock pending flag (STRING)
    KEYS[3] stock push token (STRING, PX interval)
    ARGV[1] interval ms
  Output:
    { 1, remaining } push now | { 0, 0 } nothing pending | { -1, ms } another push holds the interval for ms more
]]
local rcall = redis.call
if rcall('EXISTS', KEYS[2]) == 0 then return { 0, 0 } end
if not rcall('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then
  return { -1, math.max(1, rcall('PTTL', KEYS[3])) }
end
rcall('DEL', KEYS[2])
return { 1, tonumber(rcall('HGET', KEYS[1], 'remaining')) }
