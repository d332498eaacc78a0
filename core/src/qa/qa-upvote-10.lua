--[[
  One upvote per viewer on an open question of a live stream; never on one's own question, never by a
  viewer banned from the stream. An upvote is counted in the voter's activity ledger (upvotes,
  activity-ledger.include.lua) in the same step.
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] question (HASH)
    KEYS[3] question voters (SET viewerId)
    KEYS[4] open questions (ZSET questionId -> votes * span + (span - seq))
    KEYS[5] chat banned users (SET)
    KEYS[6] voter's activity (HASH)  KEYS[7] activity totals (HASH)  KEYS[8] activity timeline (HASH)
    KEYS[9] activity dirty viewers (ZSET)  KEYS[10] activity change sequence (STRING)
    ARGV[1] questionId  ARGV[2] viewerId  ARGV[3] span  ARGV[4] nowMs
  Output:
    question as flat HGETALL | -1 no such question | -2 not live | -3 answered already
    | -4 own question | -5 voted already | -6 banned
]]
--! include activity/activity-ledger.include.lua
local rcall = redis.call
local asker = rcall('HGET', KEYS[2], 'userId')
if not asker then return -1 end
if rcall('HGET', KEYS[1], 'status') ~= 'live' then return -2 end
if rcall('SISMEMBER', KEYS[5], ARGV[2]) == 1 then return -6 end
if rcall('HGET', KEYS[2], 'status') ~= 'open' then return -3 end
if asker == ARGV[2] then return -4 end
if rcall('SADD', KEYS[3], ARGV[2]) == 0 then return -5 end
rcall('HINCRBY', KEYS[2], 'votes', 1)
rcall('ZINCRBY', KEYS[4], tonumber(ARGV[3]), ARGV[1])
recordActivity({ KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10] }, ARGV[2], 'upvotes', 1, ARGV[4], 0)
return rcall('HGETALL', KEYS[2])
