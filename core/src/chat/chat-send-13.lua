--[[
  Accepts one chat message or refuses it, checking every rule and recording the message in one step, so
  two sockets (or nodes) of one viewer cannot race the limits.
  Checks, in order: stream exists / not ended, banned, muted, blocked words, duplicate of the sender's
  last message, slow mode, rate limit. Staff of the stream (ARGV[6] = 1) skip all but blocked words.
  An accepted message of the audience (ARGV[11] = 1) is counted in the sender's activity ledger (chat,
  activity-ledger.include.lua) in the same step; staff messages are part of the chat but of nobody's
  stickiness.
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] chat meta (HASH slowModeSec, trimmedTo)
    KEYS[3] blocked words (SET, normalized)
    KEYS[4] banned users (SET)
    KEYS[5] sender's chat state (HASH mutedUntil, lastAt, lastText)
    KEYS[6] sender's rate window (ZSET message id -> ms)
    KEYS[7] message sequence (STRING)
    KEYS[8] hot history (ZSET id -> message JSON)
    KEYS[9] sender's activity (HASH)  KEYS[10] activity totals (HASH)  KEYS[11] activity timeline (HASH)
    KEYS[12] activity dirty viewers (ZSET)  KEYS[13] activity change sequence (STRING)
    ARGV[1] userId
    ARGV[2] message JSON without its opening brace and id: '"streamId":...}'
    ARGV[3] words of the text, normalized and space-padded
    ARGV[4] duplicate key of the text
    ARGV[5] nowMs  ARGV[6] exempt (1|0)  ARGV[7] rate limit  ARGV[8] rate window ms
    ARGV[9] duplicate window ms  ARGV[10] history cap  ARGV[11] count it as the sender's activity (1|0)
  Output:
    { 1, id } accepted
    { -1 } no stream | { -2 } ended | { -3 } banned | { -4, retryAfterMs } muted | { -5 } blocked word
    { -6 } duplicate | { -7, retryAfterMs } slow mode | { -8, retryAfterMs } rate limited
]]
--! include activity/activity-ledger.include.lua
local rcall = redis.call
local now = tonumber(ARGV[5])
local exempt = ARGV[6] == '1'
local window = tonumber(ARGV[8])

local status = rcall('HGET', KEYS[1], 'status')
if not status then return { -1 } end
if status == 'ended' then return { -2 } end

local state = rcall('HMGET', KEYS[5], 'mutedUntil', 'lastAt', 'lastText')
if not exempt then
  if rcall('SISMEMBER', KEYS[4], ARGV[1]) == 1 then return { -3 } end
  local mutedUntil = tonumber(state[1] or '0')
  if mutedUntil > now then return { -4, mutedUntil - now } end
end

local words = ARGV[3]
for _, w in ipairs(rcall('SMEMBERS', KEYS[3])) do
  if string.find(words, ' ' .. w .. ' ', 1, true) then return { -5 } end
end

if not exempt then
  local lastAt = state[2] and tonumber(state[2])
  if lastAt and state[3] == ARGV[4] and now - lastAt < tonumber(ARGV[9]) then return { -6 } end
  local slowMs = tonumber(rcall('HGET', KEYS[2], 'slowModeSec') or '0') * 1000
  if lastAt and slowMs > 0 and now - lastAt < slowMs then return { -7, lastAt + slowMs - now } end
  -- forgetting sends older than the window is housekeeping, not a change anyone can see
  rcall('ZREMRANGEBYSCORE', KEYS[6], '-inf', now - window)
  local count = rcall('ZCARD', KEYS[6])
  local limit = tonumber(ARGV[7])
  if count >= limit then
    local oldest = rcall('ZRANGE', KEYS[6], count - limit, count - limit, 'WITHSCORES')
    return { -8, tonumber(oldest[2]) + window - now }
  end
end

local id = rcall('INCR', KEYS[7])
rcall('ZADD', KEYS[8], id, '{"id":"' .. id .. '",' .. ARGV[2])
local cap = tonumber(ARGV[10])
local size = rcall('ZCARD', KEYS[8])
if size > cap then
  local cut = rcall('ZRANGE', KEYS[8], size - cap - 1, size - cap - 1, 'WITHSCORES')
  rcall('ZREMRANGEBYRANK', KEYS[8], 0, size - cap - 1)
  rcall('HSET', KEYS[2], 'trimmedTo', cut[2])
end
rcall('HSET', KEYS[5], 'lastAt', ARGV[5], 'lastText', ARGV[4])
if not exempt then
  rcall('ZADD', KEYS[6], now, id)
  rcall('PEXPIRE', KEYS[6], window + 60000)
end
if ARGV[11] == '1' then
  recordActivity({ KEYS[9], KEYS[10], KEYS[11], KEYS[12], KEYS[13] }, ARGV[1], 'chat', 1, ARGV[5], 0)
end
return { 1, id }
