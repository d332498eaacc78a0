--[[
  Credits loyalty points once per grant id, within the viewer's per-stream cap, into a lot that
  expires at the end of a UTC day; drops lots already expired.
  Input:
    KEYS[1] lots (HASH expiryDay -> points)
    KEYS[2] grants (HASH grantId -> points credited so far)
    KEYS[3] per-stream earnings (HASH streamId -> points)
    ARGV[1] grantId
    ARGV[2] mode: add (grant ARGV[3] once) | topup (bring this grant up to ARGV[3] in total)
    ARGV[3] points
    ARGV[4] streamId ('' = not capped per stream)
    ARGV[5] per-stream cap
    ARGV[6] nowMs
    ARGV[7] days until expiry
  Output:
    points credited by this call (0 when already granted or capped)
]]
local rcall = redis.call
local DAY = 86400000
local points = tonumber(ARGV[3])
local have = tonumber(rcall('HGET', KEYS[2], ARGV[1]) or '-1')
local want
if ARGV[2] == 'add' then
  if have >= 0 then return 0 end
  have = 0
  want = points
else
  if have < 0 then have = 0 end
  want = points - have
end
if want <= 0 then return 0 end
local credited = want
if ARGV[4] ~= '' then
  local earned = tonumber(rcall('HGET', KEYS[3], ARGV[4]) or '0')
  credited = math.max(0, math.min(want, tonumber(ARGV[5]) - earned))
end
-- a capped add is recorded too, so a retry of the same grant never tops it up later
if credited == 0 and ARGV[2] == 'topup' then return 0 end
rcall('HSET', KEYS[2], ARGV[1], have + credited)
if credited == 0 then return 0 end
local now = tonumber(ARGV[6])
local today = math.floor(now / DAY)
local day = math.floor((now + tonumber(ARGV[7]) * DAY) / DAY)
rcall('HINCRBY', KEYS[1], day, credited)
if ARGV[4] ~= '' then rcall('HINCRBY', KEYS[3], ARGV[4], credited) end
local lots = rcall('HKEYS', KEYS[1])
for i = 1, #lots do
  if tonumber(lots[i]) < today then rcall('HDEL', KEYS[1], lots[i]) end
end
return credited
