--[[
  A viewer was seen in a stream (a join or a heartbeat): presence, the per-minute timeline, unique
  viewers, the live peak, and watch time credited per viewer (not per socket) into the activity ledger.
  Watch time: a visible heartbeat credits the time since this viewer's previous visible heartbeat (any
  tab), counted from the stream's start, if that gap is at most maxGapMs; a longer gap credits nothing
  and restarts the count. Hidden heartbeats and joins never move the start of the next credit, so they
  cannot eat another tab's credit. Only a live stream credits; an ended stream records nothing.
  The ledger update mirrors activity-record-5.lua (metric watchMs, uncapped) so it is atomic with the credit.
  Input:
    KEYS[1] stream meta (HASH status, startedAt)
    KEYS[2] seen (ZSET viewerId -> last seen ms)
    KEYS[3] unique viewers (ZSET viewerId -> first join ms)
    KEYS[4] viewers timeline (HASH minute -> distinct viewers seen that minute)
    KEYS[5] stats (HASH peak, peakAt)
    KEYS[6] watch-from (HASH viewerId -> last visible heartbeat ms)
    KEYS[7] activity of this viewer (HASH)  KEYS[8] activity totals (HASH)  KEYS[9] activity timeline (HASH)
    KEYS[10] activity dirty viewers (ZSET)  KEYS[11] activity change sequence (STRING)
    ARGV[1] viewerId  ARGV[2] nowMs  ARGV[3] join | visible | hidden  ARGV[4] presence window ms
    ARGV[5] max credited gap ms
  Output:
    { 0 | -1 no such stream | -2 ended (nothing recorded), concurrent viewers, credited ms }
]]
local rcall = redis.call
local status = rcall('HGET', KEYS[1], 'status')
if not status then return { -1, 0, 0 } end
local viewer = ARGV[1]
local now = tonumber(ARGV[2])
local kind = ARGV[3]
local since = '(' .. (now - tonumber(ARGV[4]))
if status == 'ended' then return { -2, rcall('ZCOUNT', KEYS[2], since, '+inf'), 0 } end

-- First sighting of this viewer in this minute (seen only moves forward, so a skewed clock cannot recount).
local minute = math.floor(now / 60000)
local prev = rcall('ZSCORE', KEYS[2], viewer)
if not prev or math.floor(tonumber(prev) / 60000) < minute then
  rcall('HINCRBY', KEYS[4], minute, 1)
end
rcall('ZADD', KEYS[2], 'GT', now, viewer)
if kind == 'join' then rcall('ZADD', KEYS[3], 'NX', now, viewer) end

local concurrent = rcall('ZCOUNT', KEYS[2], since, '+inf')
if status == 'live' and concurrent > tonumber(rcall('HGET', KEYS[5], 'peak') or '0') then
  rcall('HSET', KEYS[5], 'peak', concurrent, 'peakAt', now)
end

local credit = 0
if kind == 'visible' then
  local from = tonumber(rcall('HGET', KEYS[6], viewer))
  if from and now > from and now - from <= tonumber(ARGV[5]) and status == 'live' then
    -- the waiting room before the start is not watch time
    local startedAt = tonumber(rcall('HGET', KEYS[1], 'startedAt') or '0')
    credit = math.max(0, now - math.max(from, startedAt))
  end
  if not from or now > from then rcall('HSET', KEYS[6], viewer, now) end
  if status == 'live' and (credit > 0 or rcall('EXISTS', KEYS[7]) == 0) then
    if credit > 0 then rcall('HINCRBY', KEYS[7], 'watchMs', credit) end
    rcall('HSETNX', KEYS[7], 'firstAt', now)
    rcall('HSET', KEYS[7], 'lastAt', now)
    rcall('HINCRBY', KEYS[8], 'watchMs', credit)
    rcall('HINCRBY', KEYS[9], 'watchMs:' .. minute, credit)
    local seq = rcall('INCR', KEYS[11])
    rcall('ZADD', KEYS[10], seq, viewer)
  end
end
return { 0, concurrent, credit }
