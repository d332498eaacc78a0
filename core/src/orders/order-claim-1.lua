--[[
  Takes an order for counting in its stream, once: a counted order is a duplicate; one being counted
  by another delivery is busy, unless that delivery stalled past the lease (a crash), then it is taken over.
  Input:
    KEYS[1] stream orders (HASH orderId -> `pending:<ms>` | JSON record)
    ARGV[1] orderId  ARGV[2] nowMs  ARGV[3] lease ms
  Output:
    1 count it now | 0 already counted | -1 another delivery is counting it
]]
local rcall = redis.call
local v = rcall('HGET', KEYS[1], ARGV[1])
if v then
  local since = string.match(v, '^pending:(%d+)$')
  if not since then return 0 end
  if tonumber(ARGV[2]) - tonumber(since) < tonumber(ARGV[3]) then return -1 end
end
rcall('HSET', KEYS[1], ARGV[1], 'pending:' .. ARGV[2])
return 1
