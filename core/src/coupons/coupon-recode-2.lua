--[[
  Gives an issued code's holder another code: the fix-up for a code that turned out to be another stream's
  in the global code index (60 random bits: astronomically rare, but a code must find one stream). Codes
  are issued in the stream's slot first and indexed after (CouponCodeStore.index), so until the new code is
  indexed nobody has been told either code. The record moves from the old code to the new one, and so does
  the answer a retry gets (the claim's op field, or the reward's field).
  Input:
    KEYS[1] stream codes (HASH code -> JSON record)
    KEYS[2] the hash that names the holder's code (a drop's ops, or the stream's rewards)
    ARGV[1] old code  ARGV[2] new code  ARGV[3] the holder's field in KEYS[2] ('' = none: a claim without opId)
  Output:
    the holder's code now: ARGV[2] once moved; the code a concurrent fix-up (the holder's retry) moved it to;
    '' when ARGV[2] is this stream's already (call again with another)
]]
local rcall = redis.call
local field = ARGV[3]
if field ~= '' then
  local current = rcall('HGET', KEYS[2], field)
  if current and current ~= ARGV[1] then return current end
end
local record = rcall('HGET', KEYS[1], ARGV[1])
if not record then return redis.error_reply('coupon-recode: the code ' .. ARGV[1] .. ' has no record') end
if rcall('HEXISTS', KEYS[1], ARGV[2]) == 1 then return '' end
local r = cjson.decode(record)
r.code = ARGV[2]
rcall('HSET', KEYS[1], ARGV[2], cjson.encode(r))
rcall('HDEL', KEYS[1], ARGV[1])
if field ~= '' then rcall('HSET', KEYS[2], field, ARGV[2]) end
return ARGV[2]
