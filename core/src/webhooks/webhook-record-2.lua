--[[
  Records a delivery of one event to one endpoint, once: the delivery id is derived from the endpoint and
  the event, so an event emitted twice (an outbox entry or a job run again) is one delivery. A new
  delivery is added to the endpoint's log, which keeps its newest `logSize` entries.
  Input:
    KEYS[1] the delivery (HASH)
    KEYS[2] the endpoint's delivery log (ZSET deliveryId -> createdAt)
    ARGV[1] deliveryId  ARGV[2] endpointId  ARGV[3] event  ARGV[4] body (the JSON sent)
    ARGV[5] createdAt ms  ARGV[6] ttl seconds  ARGV[7] logSize
  Output:
    'new' when recorded now, else the status of the delivery recorded before ('pending' | 'delivered' | 'failed')
]]
local rcall = redis.call
local status = rcall('HGET', KEYS[1], 'status')
if status then return status end
rcall('HSET', KEYS[1], 'id', ARGV[1], 'endpointId', ARGV[2], 'event', ARGV[3], 'body', ARGV[4], 'status', 'pending',
  'attempts', 0, 'redeliveries', 0, 'createdAt', ARGV[5])
rcall('EXPIRE', KEYS[1], ARGV[6])
rcall('ZADD', KEYS[2], ARGV[5], ARGV[1])
rcall('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[7]) + 1))
rcall('EXPIRE', KEYS[2], ARGV[6])
return 'new'
