--[[
  Counts one click on a product pinned in a live stream: per product, and its distinct clickers.
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] catalog (HASH productId -> JSON)
    KEYS[3] clicks (HASH productId -> count)
    KEYS[4] clickers of this product (HyperLogLog)
    ARGV[1] productId  ARGV[2] viewerId
  Output:
    the product's clicks | -1 stream not live | -2 product never pinned in this stream
]]
local rcall = redis.call
if rcall('HGET', KEYS[1], 'status') ~= 'live' then return -1 end
if rcall('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -2 end
rcall('PFADD', KEYS[4], ARGV[2])
return rcall('HINCRBY', KEYS[3], ARGV[1], 1)
