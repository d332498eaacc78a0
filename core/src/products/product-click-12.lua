--[[
  Counts one click on a product pinned in a live stream: per product, its distinct clickers, the time of
  each viewer's first click on it (the mechanics report's touched viewers of a pin, and later streams' pin
  suggestions), and in the viewer's activity ledger (clicks, activity-ledger.include.lua; the viewer's count
  capped at ARGV[4], the stream's total not) in the same step. A click by a viewer who asked a question while
  this product was pinned marks them (first click time) for the summary's "askers who clicked the pinned product".
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] catalog (HASH productId -> JSON)
    KEYS[3] clicks (HASH productId -> count)
    KEYS[4] clickers of this product (HyperLogLog)
    KEYS[5] viewer activity (HASH)  KEYS[6] activity totals (HASH)  KEYS[7] activity timeline (HASH)
    KEYS[8] activity dirty viewers (ZSET)  KEYS[9] activity change sequence (STRING)
    KEYS[10] first click of each viewer on this product (ZSET viewerId -> ms)
    KEYS[11] asked-while-pinned (HASH '<viewerId>|<productId>' -> ms, written by qa-ask)
    KEYS[12] askers who clicked the product pinned when they asked (ZSET viewerId -> first such click ms)
    ARGV[1] productId  ARGV[2] viewerId  ARGV[3] nowMs  ARGV[4] most clicks one viewer is credited (0 = no cap)
  Output:
    the product's clicks | -1 stream not live | -2 product never pinned in this stream
]]
--! include activity/activity-ledger.include.lua
local rcall = redis.call
if rcall('HGET', KEYS[1], 'status') ~= 'live' then return -1 end
if rcall('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -2 end
rcall('PFADD', KEYS[4], ARGV[2])
rcall('ZADD', KEYS[10], 'NX', ARGV[3], ARGV[2])
if rcall('HEXISTS', KEYS[11], ARGV[2] .. '|' .. ARGV[1]) == 1 then rcall('ZADD', KEYS[12], 'NX', ARGV[3], ARGV[2]) end
recordActivity({ KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9] }, ARGV[2], 'clicks', 1, ARGV[3], ARGV[4])
return rcall('HINCRBY', KEYS[3], ARGV[1], 1)
