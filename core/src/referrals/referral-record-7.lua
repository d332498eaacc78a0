--[[
  Records a credited referral in the stream it was made in, once: the referred viewer in the stream's
  referral list, the referrer's count there, and one `referrals` unit in the referrer's activity ledger
  (which scoring rolls up). Safe to repeat: a second call changes nothing.
  Input:
    KEYS[1] referred (HASH referredId -> referrerId)
    KEYS[2] referrers (ZSET referrerId -> referred viewers in this stream)
    KEYS[3..7] the referrer's activity ledger keys (activityKeys(k, streamId).ledger(referrerId))
    ARGV[1] referredId
    ARGV[2] referrerId
    ARGV[3] nowMs
  Output:
    1 when recorded by this call, 0 when it already was
]]
--! include activity/activity-ledger.include.lua
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('ZINCRBY', KEYS[2], 1, ARGV[2])
recordActivity({ KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7] }, ARGV[2], 'referrals', 1, ARGV[3], 0)
return 1
