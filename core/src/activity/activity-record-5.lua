--[[
  Records n units of one metric for a viewer in a stream: the viewer's counter (capped), the stream
  total (uncapped), the per-minute timeline, and marks the viewer changed for the next rollup.
  Input:
    KEYS[1] viewer activity (HASH metric -> count)
    KEYS[2] stream totals (HASH)
    KEYS[3] timeline (HASH '<metric>:<minute>' -> count)
    KEYS[4] dirty viewers (ZSET viewerId -> seq)
    KEYS[5] change sequence (STRING)
    ARGV[1] viewerId  ARGV[2] metric  ARGV[3] n  ARGV[4] nowMs  ARGV[5] per-viewer cap (0 = none)
  Output:
    what was credited to the viewer (n, less when the cap cut it)
]]
local rcall = redis.call
local n = tonumber(ARGV[3])
local cap = tonumber(ARGV[5])
local credited = n
if cap > 0 then
  local have = tonumber(rcall('HGET', KEYS[1], ARGV[2]) or '0')
  credited = math.max(0, math.min(n, cap - have))
end
if credited > 0 then rcall('HINCRBY', KEYS[1], ARGV[2], credited) end
rcall('HSETNX', KEYS[1], 'firstAt', ARGV[4])
rcall('HSET', KEYS[1], 'lastAt', ARGV[4])
rcall('HINCRBY', KEYS[2], ARGV[2], n)
local minute = math.floor(tonumber(ARGV[4]) / 60000)
rcall('HINCRBY', KEYS[3], ARGV[2] .. ':' .. minute, n)
local seq = rcall('INCR', KEYS[5])
rcall('ZADD', KEYS[4], seq, ARGV[1])
return credited
