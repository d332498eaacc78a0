--[[
  Closes a poll, once: its timer, `poll:close` and the stream's end may race here, and exactly one call
  gets changed = 1. No vote is taken after it, so every caller reads the same final counts.
  Input:
    KEYS[1] poll (HASH)
    KEYS[2] the stream's open poll (STRING pollId)
    KEYS[3] counts (HASH option -> n)
    KEYS[4] votes (HASH viewerId -> option)
    ARGV[1] pollId  ARGV[2] nowMs  ARGV[3] reason
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
  changed = 1
end
return { changed, rcall('HGETALL', KEYS[1]), rcall('HGETALL', KEYS[3]), rcall('HLEN', KEYS[4]) }
