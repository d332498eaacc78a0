--[[
  Marks a question answered, once: it leaves the open list and its asker may ask again. The reward is
  stored with it so a retry after a failed delivery pays the same reward, never a second one, and with
  it the outbox entry that delivers the reward even if the caller dies right after.
  Input:
    KEYS[1] question (HASH)
    KEYS[2] open questions (ZSET)
    KEYS[3] open question per viewer (HASH viewerId -> questionId)
    KEYS[4] the stream's outbox (HASH entryId -> entry JSON)
    ARGV[1] questionId  ARGV[2] nowMs  ARGV[3] answeredBy  ARGV[4] reward JSON ('' for none)
    ARGV[5] outbox entry id  ARGV[6] outbox entry (JSON)
  Output:
    { 1 answered now | 0 answered before, question as flat HGETALL } | -1 no such question
]]
local rcall = redis.call
local asker = rcall('HGET', KEYS[1], 'userId')
if not asker then return -1 end
if rcall('HGET', KEYS[1], 'status') == 'answered' then return { 0, rcall('HGETALL', KEYS[1]) } end
rcall('HSET', KEYS[1], 'status', 'answered', 'answeredAt', ARGV[2], 'answeredBy', ARGV[3])
if ARGV[4] ~= '' then
  rcall('HSET', KEYS[1], 'reward', ARGV[4])
  rcall('HSET', KEYS[4], ARGV[5], ARGV[6])
end
rcall('ZREM', KEYS[2], ARGV[1])
if rcall('HGET', KEYS[3], asker) == ARGV[1] then rcall('HDEL', KEYS[3], asker) end
return { 1, rcall('HGETALL', KEYS[1]) }
