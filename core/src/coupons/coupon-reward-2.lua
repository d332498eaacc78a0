--[[
  Issues a reward coupon once per (source, sourceId, viewer): a second call returns the first code.
  The code is indexed globally after this (CouponCodeStore.index), before the viewer is told it.
  Input:
    KEYS[1] rewards (HASH `<source>:<sourceId>:<viewerId>` -> code)
    KEYS[2] codes (HASH code -> JSON record)
    ARGV[1] reward field  ARGV[2] proposed code  ARGV[3] record JSON
  Output:
    the viewer's code for this reward (the proposed one if it was issued now), or '' when the proposed code
    is this stream's already (nothing changed: call again with another)
]]
local rcall = redis.call
local have = rcall('HGET', KEYS[1], ARGV[1])
if have then return have end
if rcall('HEXISTS', KEYS[2], ARGV[2]) == 1 then return '' end
rcall('HSET', KEYS[1], ARGV[1], ARGV[2])
rcall('HSET', KEYS[2], ARGV[2], ARGV[3])
return ARGV[2]
