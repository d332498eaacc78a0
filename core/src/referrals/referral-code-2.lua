--[[
  A viewer's referral code for a brand: the one already given, else the proposed one (kept from then on).
  Input:
    KEYS[1] codes (HASH viewerId -> code)
    KEYS[2] owners (HASH code -> viewerId)
    ARGV[1] viewerId
    ARGV[2] proposed code (random, made by the caller)
  Output:
    the viewer's code
]]
local have = redis.call('HGET', KEYS[1], ARGV[1])
if have then return have end
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[1]) == 0 then return redis.error_reply('referral code collision') end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return ARGV[2]
