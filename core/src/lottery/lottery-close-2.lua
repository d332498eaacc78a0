--[[
  Freezes a lottery's entrant list: open -> closed, once. After this no entry is accepted, so the
  entries hash is the frozen list the draw is computed from. Calls after the first change nothing.
  Input:
    KEYS[1] lottery meta (HASH)
    KEYS[2] the stream's open lottery (HASH id, keyword)
    ARGV[1] lotteryId  ARGV[2] nowMs
  Output:
    { 1 froze now | 0 was already closed or drawn | -1 no lottery, meta as flat HGETALL }
]]
local rcall = redis.call
local status = rcall('HGET', KEYS[1], 'status')
if not status then return { -1, {} } end
local froze = 0
if status == 'open' then
  rcall('HSET', KEYS[1], 'status', 'closed', 'closedAt', ARGV[2])
  if rcall('HGET', KEYS[2], 'id') == ARGV[1] then rcall('DEL', KEYS[2]) end
  froze = 1
end
return { froze, rcall('HGETALL', KEYS[1]) }
