--[[
  Issues a reward coupon once per (source, sourceId, viewer): a second call returns the first code.
  Input:
    KEYS[1] rewards (HASH `<source>:<sourceId>:<viewerId>` -> code)
    KEYS[2] codes (HASH code -> JSON record)
    ARGV[1] reward field  ARGV[2] proposed code  ARGV[3] record JSON
  Output:
    the viewer's code for this reward (the proposed one if it was issued now)
]]
local rcall = redis.call
local have = rcall('HGET', KEYS[1], ARGV[1])
if have then return have end
rcall('HSET', KEYS[1], ARGV[1], ARGV[2])
rcall('HSET', KEYS[2], ARGV[2], ARGV[3])
return ARGV[2]
