--[[
  Decides whether a joining viewer is credited to the owner of a referral code, once per viewer and brand:
  never to themselves, never for a viewer the brand already knew, within the referrer's caps per stream
  and per day. The whole decision and its record are one step in the brand's slot.
  Input:
    KEYS[1] code owners (HASH code -> viewerId)
    KEYS[2] credited (HASH referredId -> '<referrerId>|<streamId>|<ms>')
    KEYS[3] referral counts (ZSET referrerId -> credited, all time)
    KEYS[4] this stream's counts (HASH referrerId -> credited in the stream)
    KEYS[5] today's counts (HASH referrerId -> credited today)
    KEYS[6] first seen (ZSET viewerId -> first stream attended; summary's brand index)
    KEYS[7] stickiness histories (HASH viewerId -> packed history)
    KEYS[8] codes (HASH viewerId -> their referral code): a viewer with a code of their own was in a stream
    ARGV[1] code
    ARGV[2] referredId (the joining viewer)
    ARGV[3] streamId
    ARGV[4] nowMs
    ARGV[5] most credits per referrer per stream
    ARGV[6] most credits per referrer per day
    ARGV[7] '1' when the viewer has already been in this stream
  Output:
    { status, referrerId, streamId of the credit }: status 'credited', 'credited_before' (with the earlier
    credit's referrer and stream), 'unknown_code', 'self', 'known', 'stream_cap' or 'day_cap'
]]
local referrer = redis.call('HGET', KEYS[1], ARGV[1])
if not referrer then return { 'unknown_code', '', '' } end
local referred = ARGV[2]
if referrer == referred then return { 'self', referrer, '' } end
local before = redis.call('HGET', KEYS[2], referred)
if before then
  local by, stream = string.match(before, '^([^|]*)|([^|]*)|')
  return { 'credited_before', by or '', stream or '' }
end
if ARGV[7] == '1' or redis.call('ZSCORE', KEYS[6], referred) or redis.call('HEXISTS', KEYS[7], referred) == 1
    or redis.call('HEXISTS', KEYS[8], referred) == 1 then
  return { 'known', referrer, '' }
end
if tonumber(redis.call('HGET', KEYS[4], referrer) or '0') >= tonumber(ARGV[5]) then return { 'stream_cap', referrer, '' } end
if tonumber(redis.call('HGET', KEYS[5], referrer) or '0') >= tonumber(ARGV[6]) then return { 'day_cap', referrer, '' } end
redis.call('HSET', KEYS[2], referred, referrer .. '|' .. ARGV[3] .. '|' .. ARGV[4])
redis.call('ZINCRBY', KEYS[3], 1, referrer)
redis.call('HINCRBY', KEYS[4], referrer, 1)
redis.call('PEXPIRE', KEYS[4], 30 * 86400000)
redis.call('HINCRBY', KEYS[5], referrer, 1)
redis.call('PEXPIRE', KEYS[5], 2 * 86400000)
return { 'credited', referrer, ARGV[3] }
