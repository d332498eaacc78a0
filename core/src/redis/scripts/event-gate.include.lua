--[[
  The event gate's count, included by the gate prelude (event-gate.prelude.lua) and by scripts that must
  decide something before the gate counts (coupon-claim answers a replayed claim uncounted).
  countEvent(key, limit) counts one event of a user in a stream in a one-second window shared by every
  node.
  Input:
    key: the user's event counter in the stream's slot (STRING, expires after the window)
    limit: events allowed per window
  Output:
    nil when the event is allowed, else the ms until the window ends
]]
local function countEvent(key, limit)
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('PEXPIRE', key, 1000) end
  if count <= tonumber(limit) then return nil end
  local ms = redis.call('PTTL', key)
  if ms < 0 then
    redis.call('PEXPIRE', key, 1000)
    ms = 1000
  end
  return ms
end
