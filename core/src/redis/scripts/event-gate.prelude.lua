--[[
  Prelude of every script's gated variant (scripts.ts registers `<name>Gated` = this + the script): counts
  one event of a user in a stream in a one-second window shared by every node (event-gate.include.lua),
  and refuses it over the limit before the script proper runs. It takes its key and argument off the END
  of KEYS and ARGV, so the script below sees exactly the KEYS and ARGV it documents.
  Input:
    KEYS[#KEYS] the user's event counter in this stream (STRING, expires after the window)
    ARGV[#ARGV] events allowed per window
  Output:
    an error reply `RATE_LIMITED <ms until the window ends>` over the limit; otherwise the script's own
]]
--! include redis/scripts/event-gate.include.lua
do
  local gateKey = table.remove(KEYS)
  local gateLimit = table.remove(ARGV)
  local gateWaitMs = countEvent(gateKey, gateLimit)
  if gateWaitMs then return redis.error_reply('RATE_LIMITED ' .. gateWaitMs) end
end
