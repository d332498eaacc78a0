--[[
  Stores a closed lottery's result, once. The result is a pure function of the seed and the frozen
  list, so racing callers compute the same one; only the first stores it (and then announces it).
  Input:
    KEYS[1] lottery meta (HASH status, result)
    ARGV[1] result (JSON)  ARGV[2] nowMs
  Output:
    { 1 stored now | 0 already stored | -1 not closed yet, the stored result JSON }
]]
local rcall = redis.call
local m = rcall('HMGET', KEYS[1], 'status', 'result')
if m[2] then return { 0, m[2] } end
if m[1] ~= 'closed' then return { -1, '' } end
rcall('HSET', KEYS[1], 'status', 'drawn', 'drawnAt', ARGV[2], 'result', ARGV[1])
return { 1, ARGV[1] }
