--[[
  Live counts for one stream's `room:stats`, computed by one node per interval: the node whose SET NX
  takes the token pushes, the others skip. Nothing is returned (so nothing pushed) for streams that are
  not live or scheduled, or when the counts did not change since the last push. Also forgets viewers
  not seen since pruneBeforeMs (older than any presence window or timeline minute still in use).
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] seen (ZSET viewerId -> last seen ms)
    KEYS[3] stats (HASH peak, peakAt, pushedViewers, pushedPeak)
    KEYS[4] push token (STRING, expires after the interval)
    ARGV[1] nowMs  ARGV[2] presence window ms  ARGV[3] interval ms  ARGV[4] pruneBeforeMs
  Output:
    nil (nothing to push) | { viewers, peak, peakAt or -1 }
]]
local rcall = redis.call
local status = rcall('HGET', KEYS[1], 'status')
if status ~= 'live' and status ~= 'scheduled' then return false end
if not rcall('SET', KEYS[4], '1', 'NX', 'PX', ARGV[3]) then return false end
rcall('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[4])
local viewers = rcall('ZCOUNT', KEYS[2], '(' .. (tonumber(ARGV[1]) - tonumber(ARGV[2])), '+inf')
local s = rcall('HMGET', KEYS[3], 'peak', 'peakAt', 'pushedViewers', 'pushedPeak')
local peak = tonumber(s[1] or '0')
if tonumber(s[3]) == viewers and tonumber(s[4]) == peak then return false end
rcall('HSET', KEYS[3], 'pushedViewers', viewers, 'pushedPeak', peak)
return { viewers, peak, tonumber(s[2] or '-1') }
