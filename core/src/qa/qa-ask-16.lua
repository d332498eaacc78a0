--[[
  Adds a viewer's question, under chat's rules for text (ban, mute, blocked words) and one open question
  per viewer at a time. The stream must be live. A question is counted in the asker's activity ledger
  (questions, activity-ledger.include.lua) in the same step. For the summary's Q&A figures it also lists the
  question by time and notes the product pinned when it was asked (on the question, and as "this viewer
  asked while this product was pinned", which a later click on that product looks up).
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] the new question (HASH)
    KEYS[3] open questions (ZSET questionId -> votes * span + (span - seq))
    KEYS[4] open question per viewer (HASH viewerId -> questionId)
    KEYS[5] question sequence (STRING)
    KEYS[6] chat blocked words (SET, normalized)
    KEYS[7] chat banned users (SET)
    KEYS[8] asker's chat state (HASH mutedUntil)
    KEYS[9] asker's activity (HASH)  KEYS[10] activity totals (HASH)  KEYS[11] activity timeline (HASH)
    KEYS[12] activity dirty viewers (ZSET)  KEYS[13] activity change sequence (STRING)
    ARGV[1] questionId  ARGV[2] viewerId  ARGV[3] name  ARGV[4] text  ARGV[5] nowMs  ARGV[6] span
    KEYS[14] the product pinned now (STRING Product JSON)
    KEYS[15] questions by time (ZSET questionId -> asked ms)
    KEYS[16] asked-while-pinned (HASH '<viewerId>|<productId>' -> first such question's ms)
    ARGV[7] words of the text, normalized and space-padded (as chat matches them)
  Output:
    { 1 } | { -1 } not live | { -2 } the viewer has an open question | { -3 } question limit reached
    | { -4 } banned | { -5, retryAfterMs } muted | { -6 } blocked word
]]
--! include activity/activity-ledger.include.lua
local rcall = redis.call
local now = tonumber(ARGV[5])
if rcall('HGET', KEYS[1], 'status') ~= 'live' then return { -1 } end
if rcall('SISMEMBER', KEYS[7], ARGV[2]) == 1 then return { -4 } end
local mutedUntil = tonumber(rcall('HGET', KEYS[8], 'mutedUntil') or '0')
if mutedUntil > now then return { -5, mutedUntil - now } end
for _, w in ipairs(rcall('SMEMBERS', KEYS[6])) do
  if string.find(ARGV[7], ' ' .. w .. ' ', 1, true) then return { -6 } end
end
if rcall('HEXISTS', KEYS[4], ARGV[2]) == 1 then return { -2 } end
local span = tonumber(ARGV[6])
local seq = tonumber(rcall('GET', KEYS[5]) or '0') + 1
if seq >= span then return { -3 } end
rcall('SET', KEYS[5], seq)
rcall('HSET', KEYS[2], 'id', ARGV[1], 'userId', ARGV[2], 'name', ARGV[3], 'text', ARGV[4], 'votes', 0,
  'status', 'open', 'at', ARGV[5], 'seq', seq)
rcall('ZADD', KEYS[3], span - seq, ARGV[1])
rcall('ZADD', KEYS[15], now, ARGV[1])
local pinned = rcall('GET', KEYS[14])
if pinned then
  local ok, product = pcall(cjson.decode, pinned)
  if ok and type(product) == 'table' and type(product.id) == 'string' then
    rcall('HSET', KEYS[2], 'pinnedProductId', product.id)
    rcall('HSETNX', KEYS[16], ARGV[2] .. '|' .. product.id, ARGV[5])
  end
end
rcall('HSET', KEYS[4], ARGV[2], ARGV[1])
recordActivity({ KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13] }, ARGV[2], 'questions', 1, ARGV[5], 0)
return { 1 }
