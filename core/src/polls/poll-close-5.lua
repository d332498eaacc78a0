--[[
  Closes a poll, once: its timer, `poll:close` and the stream's end may race here, and exactly one call
  gets changed = 1. No vote is taken after it, so every caller reads the same final counts. The closing
  call also writes the poll's outbox entry: `poll:closed` is announced even if the caller dies right after.
  Input:
    KEYS[1] poll (HASH)
    KEYS[2] the stream's open poll (STRING pollId)
    KEYS[3] counts (HASH option -> n)
    KEYS[4] votes (HASH viewerId -> option)
    KEYS[5] the stream's outbox (HASH entryId -> entry JSON)
    ARGV[1] pollId  ARGV[2] nowMs  ARGV[3] reason  ARGV[4] outbox entry id  ARGV[5] outbox entry (JSON)
  Output:
    { changed 1|0, poll as flat HGETALL, counts as flat HGETALL, votes } | -1 no such poll
]]
local rcall = redis.call
local status = rcall('HGET', KEYS[1], 'status')
if not status then return -1 end
local changed = 0
if status ~= 'closed' then
  rcall('HSET', KEYS[1], 'status', 'closed', 'closedAt', ARGV[2], 'closeReason', ARGV[3])
  if rcall('GET', KEYS[2]) == ARGV[1] then rcall('DEL', KEYS[2]) end
  rcall('HSET', KEYS[5], ARGV[4], ARGV[5])
  changed = 1
end
return { changed, rcall('HGETALL', KEYS[1]), rcall('HGETALL', KEYS[3]), rcall('HLEN', KEYS[4]) }
