--[[
  Closes a quiz, once: the scheduled job, the streamer's quiz:close and the stream's end may all race
  here, and exactly one call gets changed = 1. After it no answer is taken, so everything the result is
  computed from is frozen and any later caller computes the same result. The closing call also writes
  the quiz's outbox entry: its result and rewards are announced even if the caller dies right after.
  Input:
    KEYS[1] quiz (HASH)
    KEYS[2] the stream's open quiz (STRING quizId)
    KEYS[3] counts (HASH option -> n)
    KEYS[4] answers (HASH viewerId -> option)
    KEYS[5] correct answers (LIST viewerId)
    KEYS[6] the stream's outbox (HASH entryId -> entry JSON)
    ARGV[1] quizId  ARGV[2] nowMs  ARGV[3] reason  ARGV[4] how many correct viewers to list
    ARGV[5] outbox entry id  ARGV[6] outbox entry (JSON)
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
  rcall('HSET', KEYS[6], ARGV[5], ARGV[6])
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
