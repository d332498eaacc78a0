--[[
  Moves a stream scheduled -> live -> ended. Never backwards, never twice. The end writes the stream's
  outbox entry in the same step: its end hooks and finalize job run even if the caller dies right after.
  Input:
    KEYS[1] stream meta (HASH)
    KEYS[2] the stream's outbox (HASH entryId -> entry JSON)
    ARGV[1] target status: live | ended
    ARGV[2] nowMs
    ARGV[3] outbox entry id of the end  ARGV[4] outbox entry (JSON)
  Output:
    { changed (1|0|-1 not found), meta as flat HGETALL }
]]
local rcall = redis.call
local status = rcall('HGET', KEYS[1], 'status')
if not status then return { -1, {} } end
local to = ARGV[1]
local changed = 0
if to == 'live' and status == 'scheduled' then
  rcall('HSET', KEYS[1], 'status', 'live', 'startedAt', ARGV[2])
  changed = 1
elseif to == 'ended' and status ~= 'ended' then
  rcall('HSET', KEYS[1], 'status', 'ended', 'endedAt', ARGV[2])
  if status == 'scheduled' then rcall('HSET', KEYS[1], 'startedAt', ARGV[2]) end
  rcall('HSET', KEYS[2], ARGV[3], ARGV[4])
  changed = 1
end
return { changed, rcall('HGETALL', KEYS[1]) }
