--[[
  Pushes what a drop owes the room if no push happened in the current interval (any node): on the trailing
  edge of the interval in which it changed (coupon-claim-15 says why). What is owed (KEYS[2]): '1' the
  stock count, 'ended' the sell-out's coupon:ended (it replaces the count: none is left). A count owed by a
  drop that has ended another way (window, streamer) is dropped: its own coupon:ended went out.
  Input:
    KEYS[1] drop meta (HASH remaining, quantity, status)
    KEYS[2] owed push (STRING '1' | 'ended')
    KEYS[3] push token (STRING, PX interval)
    ARGV[1] interval ms
  Output:
    { 1, remaining } push the count now | { 2, claimed } push coupon:ended (sold out) now
    | { 0, 0 } nothing owed | { -1, ms } another push holds the interval for ms more
]]
local rcall = redis.call
local owed = rcall('GET', KEYS[2])
if not owed then return { 0, 0 } end
if owed ~= 'ended' and rcall('HGET', KEYS[1], 'status') ~= 'open' then
  rcall('DEL', KEYS[2])
  return { 0, 0 }
end
if not rcall('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then
  return { -1, math.max(1, rcall('PTTL', KEYS[3])) }
end
rcall('DEL', KEYS[2])
local remaining = tonumber(rcall('HGET', KEYS[1], 'remaining'))
if owed == 'ended' then return { 2, tonumber(rcall('HGET', KEYS[1], 'quantity')) - remaining } end
return { 1, remaining }
