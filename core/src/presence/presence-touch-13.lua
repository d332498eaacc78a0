--[[
  A viewer was seen in a stream (a join or a heartbeat), or one of their sockets went away: presence, the
  per-minute timeline, unique viewers, the live peak, and watch time credited per viewer (not per socket)
  into the activity ledger.
  Watch time runs from an anchor (the viewer's last credited beat) while at least one of the viewer's
  sockets is visible. Each socket's last visible heartbeat is kept (tabs); an entry older than maxGapMs is
  stale and dropped. Any heartbeat or socket end while a socket is visible credits the time since the
  anchor, counted from the stream's start, if that gap is at most maxGapMs (a longer gap credits nothing
  and restarts the count), and moves the anchor to now. A hidden heartbeat or an end (gone) takes that
  socket out of the visible set; when none is left the anchor is dropped, so the next visible heartbeat
  starts a new count and credits nothing: a hidden stretch is never credited, whether the tab comes back
  or not, and several tabs still count once. Only a live stream credits; an ended stream records nothing.
  A gone socket is not a sighting: it changes no presence figure.
  A sighting in a live stream also sets the viewer's bit for this minute in their minute bitmap (bit i =
  the i-th minute since the minute the stream started): who was present when, for the mechanics report.
  The credit is written to the activity ledger (activity-ledger.include.lua, metric watchMs, uncapped) in
  the same step.
  Input:
    KEYS[1] stream meta (HASH status, startedAt)
    KEYS[2] seen (ZSET viewerId -> last seen ms)
    KEYS[3] unique viewers (ZSET viewerId -> first join ms)
    KEYS[4] viewers timeline (HASH minute -> distinct viewers seen that minute)
    KEYS[5] stats (HASH peak, peakAt)
    KEYS[6] watch-from (HASH viewerId -> anchor ms)
    KEYS[7] this viewer's visible tabs (HASH socketId -> last visible heartbeat ms)
    KEYS[8] activity of this viewer (HASH)  KEYS[9] activity totals (HASH)  KEYS[10] activity timeline (HASH)
    KEYS[11] activity dirty viewers (ZSET)  KEYS[12] activity change sequence (STRING)
    KEYS[13] this viewer's minutes (STRING bitmap, bit = minute since the start minute)
    ARGV[1] viewerId  ARGV[2] nowMs  ARGV[3] join | visible | hidden | gone  ARGV[4] presence window ms
    ARGV[5] max credited gap ms  ARGV[6] socketId (ignored for join)
  Output:
    { 0 | -1 no such stream | -2 ended (nothing recorded), concurrent viewers, credited ms }
]]
--! include activity/activity-ledger.include.lua
--! include presence/presence-sighting.include.lua
local rcall = redis.call
local status = rcall('HGET', KEYS[1], 'status')
if not status then return { -1, 0, 0 } end
local viewer = ARGV[1]
local now = tonumber(ARGV[2])
local kind = ARGV[3]
local maxGap = tonumber(ARGV[5])
local since = '(' .. (now - tonumber(ARGV[4]))
if status == 'ended' then return { -2, rcall('ZCOUNT', KEYS[2], since, '+inf'), 0 } end

if kind ~= 'gone' then
  local startedAt = status == 'live' and rcall('HGET', KEYS[1], 'startedAt') or nil
  recordSighting(KEYS[2], KEYS[4], KEYS[13], viewer, now, status == 'live', startedAt)
  if kind == 'join' then rcall('ZADD', KEYS[3], 'NX', now, viewer) end
end

local concurrent = rcall('ZCOUNT', KEYS[2], since, '+inf')
if kind ~= 'gone' and status == 'live' and concurrent > tonumber(rcall('HGET', KEYS[5], 'peak') or '0') then
  rcall('HSET', KEYS[5], 'peak', concurrent, 'peakAt', now)
end
if kind == 'join' then return { 0, concurrent, 0 } end

-- Visible sockets before this beat, stale ones dropped.
local socket = ARGV[6]
local tabs = rcall('HGETALL', KEYS[7])
local anyVisible = false
for i = 1, #tabs, 2 do
  if tonumber(tabs[i + 1]) < now - maxGap then
    rcall('HDEL', KEYS[7], tabs[i])
  else
    anyVisible = true
  end
end

local credit = 0
local from = tonumber(rcall('HGET', KEYS[6], viewer))
if anyVisible and from and now > from and now - from <= maxGap and status == 'live' then
  -- the waiting room before the start is not watch time
  local startedAt = tonumber(rcall('HGET', KEYS[1], 'startedAt') or '0')
  credit = math.max(0, now - math.max(from, startedAt))
end

if kind == 'visible' then
  rcall('HSET', KEYS[7], socket, now)
  -- a stale entry goes at the next beat; the expiry only clears tabs no beat comes for again
  rcall('PEXPIRE', KEYS[7], 2 * maxGap)
else
  rcall('HDEL', KEYS[7], socket)
end
if rcall('EXISTS', KEYS[7]) == 1 then
  if not from or now > from then rcall('HSET', KEYS[6], viewer, now) end
else
  rcall('HDEL', KEYS[6], viewer)
end

-- a credit, or a viewer's first visible live heartbeat (attendance, 0 ms), written to the activity ledger
-- in this same step
if credit > 0 or (kind == 'visible' and status == 'live' and rcall('EXISTS', KEYS[8]) == 0) then
  recordActivity({ KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12] }, viewer, 'watchMs', credit, now, 0)
end
return { 0, concurrent, credit }
