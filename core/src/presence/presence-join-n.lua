--[[
  The joins of one moment in a stream, in one step: for each viewer in order, exactly what
  presence-touch-13.lua does for a `join` (the same keys, the same writes), so a batch records what the
  same joins one by one would have. A join credits no watch time, so the watch-time keys are not needed.
  All keys are in the stream's slot (the viewers' minute bitmaps too), as a cluster requires.
  Input:
    KEYS[1] stream meta (HASH status, startedAt)
    KEYS[2] seen (ZSET viewerId -> last seen ms)
    KEYS[3] unique viewers (ZSET viewerId -> first join ms)
    KEYS[4] viewers timeline (HASH minute -> distinct viewers seen that minute)
    KEYS[5] stats (HASH peak, peakAt)
    KEYS[5 + i] viewer i's minutes (STRING bitmap, bit = minute since the start minute)
    ARGV[1] presence window ms
    ARGV[2i] viewer i's id  ARGV[2i + 1] the ms of viewer i's join
  Output:
    { concurrent viewers after each join, in order } (0 for each when the stream does not exist; an ended
    stream records nothing and answers the count at each join's time)
]]
--! include presence/presence-sighting.include.lua
local rcall = redis.call
local n = #KEYS - 5
local window = tonumber(ARGV[1])
local out = {}
local status = rcall('HGET', KEYS[1], 'status')
if not status then
  for i = 1, n do out[i] = 0 end
  return out
end
if status == 'ended' then
  for i = 1, n do out[i] = rcall('ZCOUNT', KEYS[2], '(' .. (tonumber(ARGV[2 * i + 1]) - window), '+inf') end
  return out
end

local startedAt = status == 'live' and rcall('HGET', KEYS[1], 'startedAt')
local peak = tonumber(rcall('HGET', KEYS[5], 'peak') or '0')
local peakAt
for i = 1, n do
  local viewer = ARGV[2 * i]
  local now = tonumber(ARGV[2 * i + 1])
  recordSighting(KEYS[2], KEYS[4], KEYS[5 + i], viewer, now, status == 'live', startedAt)
  rcall('ZADD', KEYS[3], 'NX', now, viewer)
  local concurrent = rcall('ZCOUNT', KEYS[2], '(' .. (now - window), '+inf')
  if status == 'live' and concurrent > peak then
    peak = concurrent
    peakAt = now
  end
  out[i] = concurrent
end
-- the peak as the joins one by one would leave it: the highest count, at the time it was reached
if peakAt then rcall('HSET', KEYS[5], 'peak', peak, 'peakAt', peakAt) end
return out
