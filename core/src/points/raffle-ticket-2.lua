--[[
  Spends (or gives back) one of a viewer's raffle tickets on one lottery of the brand, once per lottery:
  a retried or concurrent entry into the same lottery finds the ticket it already spent and spends no other.
  Input:
    KEYS[1] the brand's raffle tickets (HASH viewerId -> tickets)
    KEYS[2] the brand's tickets spent (HASH `<viewerId>|<lotteryId>` -> nowMs)
    ARGV[1] viewerId  ARGV[2] lotteryId  ARGV[3] nowMs  ARGV[4] use | refund
  Output:
    use: 1 a ticket is spent on this lottery (now or before) | 0 the viewer holds none
    refund: 1 the ticket spent on this lottery was given back | 0 none was spent on it
]]
local rcall = redis.call
local field = ARGV[1] .. '|' .. ARGV[2]
if ARGV[4] == 'refund' then
  if rcall('HDEL', KEYS[2], field) == 0 then return 0 end
  rcall('HINCRBY', KEYS[1], ARGV[1], 1)
  return 1
end
if rcall('HEXISTS', KEYS[2], field) == 1 then return 1 end
if tonumber(rcall('HGET', KEYS[1], ARGV[1]) or '0') < 1 then return 0 end
if rcall('HINCRBY', KEYS[1], ARGV[1], -1) == 0 then rcall('HDEL', KEYS[1], ARGV[1]) end
rcall('HSET', KEYS[2], field, ARGV[3])
return 1
