--[[
  Closes a quiz, once: the scheduled job, the streamer's quiz:close and the stream's end may all race
  here, and exactly one call gets changed = 1. After it no answer is taken, so everything the result is
  computed from is frozen and any later caller computes the same result.
  Input:
    KEYS[1] quiz (HASH)
    KEYS[2] the stream's open quiz (STRING quizId)
    KEYS[3] counts (HASH option -> n)
    KEYS[4] answers (HASH viewerId -> option)
    KEYS[5] correct answers (LIST viewerId)
    ARGV[1] quizId  ARGV[2] nowMs  ARGV[3] reason  ARGV[4] how many correct viewers to list
  Output:
    { changed 1|0, quiz as flat HGETALL, counts as flat HGETALL, answers, correct, first correct viewers }
    | -1 no such quiz
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
return {
  changed,
  rcall('HGETALL', KEYS[1]),
  rcall('HGETALL', KEYS[3]),
  rcall('HLEN', KEYS[4]),
  rcall('LLEN', KEYS[5]),
  rcall('LRANGE', KEYS[5], 0, tonumber(ARGV[4]) - 1),
}
