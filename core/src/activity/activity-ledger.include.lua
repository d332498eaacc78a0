--[[
  The activity ledger's write, included (`--! include activity/activity-ledger.include.lua`) by every
  script whose change is an activity: the change and its record are one atomic step, so a committed
  change is always counted and a refused one never is. The one copy of this code: scripts.ts expands
  the include when it loads a script.
  recordActivity(k, viewerId, metric, n, nowMs, cap) records n units of one metric for a viewer: the
  viewer's counter (capped), the stream total (uncapped), the per-minute timeline, and marks the viewer
  changed for the next rollup. n = 0 still records the viewer's presence in the ledger (firstAt, lastAt).
  Input:
    k = { viewer activity (HASH metric -> count, firstAt, lastAt), stream totals (HASH),
          timeline (HASH '<metric>:<minute>' -> count), dirty viewers (ZSET viewerId -> seq),
          change sequence (STRING) }: KEYS of the calling script, in the stream's slot
    cap: most the viewer accumulates of this metric (0 = no cap)
  Output:
    what was credited to the viewer (n, less when the cap cut it)
]]
local function recordActivity(k, viewerId, metric, n, nowMs, cap)
  n = tonumber(n)
  cap = tonumber(cap)
  local credited = n
  if cap > 0 then
    local have = tonumber(redis.call('HGET', k[1], metric) or '0')
    credited = math.max(0, math.min(n, cap - have))
  end
  if credited > 0 then redis.call('HINCRBY', k[1], metric, credited) end
  redis.call('HSETNX', k[1], 'firstAt', nowMs)
  redis.call('HSET', k[1], 'lastAt', nowMs)
  redis.call('HINCRBY', k[2], metric, n)
  local minute = math.floor(tonumber(nowMs) / 60000)
  redis.call('HINCRBY', k[3], metric .. ':' .. minute, n)
  local seq = redis.call('INCR', k[5])
  redis.call('ZADD', k[4], seq, viewerId)
  return credited
end
