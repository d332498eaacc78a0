--[[
  Ends an open drop once (window closed, streamer's coupon:end, stream ended); a drop already ended
  (sold out, or a second end racing this one) is left alone.
  Input:
    KEYS[1] drop meta (HASH)
    KEYS[2] open drops (ZSET)
    KEYS[3] drop ops (HASH op -> code: kept a day longer for retries of late claims, then gone)
    ARGV[1] reason: expired | ended  ARGV[2] nowMs  ARGV[3] dropId
  Output:
    { changed (1|0|-1 no such drop), quantity, remaining }
]]
local rcall = redis.call
local status = rcall('HGET', KEYS[1], 'status')
if not status then return { -1, 0, 0 } end
local quantity = tonumber(rcall('HGET', KEYS[1], 'quantity'))
local remaining = tonumber(rcall('HGET', KEYS[1], 'remaining'))
if status ~= 'open' then return { 0, quantity, remaining } end
rcall('HSET', KEYS[1], 'status', 'ended', 'endReason', ARGV[1], 'endedAt', ARGV[2])
rcall('ZREM', KEYS[2], ARGV[3])
rcall('PEXPIRE', KEYS[3], 86400000)
return { 1, quantity, remaining }
