--[[
  Stores a closed lottery's result, once, together with its announcement: the outbox entry that makes
  `lottery:drawn`, the winners' rewards and the brand's winner records be delivered even if the caller
  dies right after. The result is a pure function of the seed and the frozen list, so racing callers
  compute the same one; only the first stores it.
  Input:
    KEYS[1] lottery meta (HASH status, result)
    KEYS[2] the stream's outbox (HASH entryId -> entry JSON)
    ARGV[1] result (JSON)  ARGV[2] nowMs  ARGV[3] outbox entry id  ARGV[4] outbox entry (JSON)
  Output:
    { 1 stored now | 0 already stored | -1 not closed yet, the stored result JSON }
]]
local rcall = redis.call
local m = rcall('HMGET', KEYS[1], 'status', 'result')
if m[2] then return { 0, m[2] } end
if m[1] ~= 'closed' then return { -1, '' } end
rcall('HSET', KEYS[1], 'status', 'drawn', 'drawnAt', ARGV[2], 'result', ARGV[1])
rcall('HSET', KEYS[2], ARGV[3], ARGV[4])
return { 1, ARGV[1] }
