--[[
  Prelude of every script's gated variant (scripts.ts registers `<name>Gated` = this + the script): counts
  one event of a user in a stream in a one-second window shared by every node, and refuses it over the
  limit before the script proper runs. It takes its key and argument off the END of KEYS and ARGV, so the
  script below sees exactly the KEYS and ARGV it documents.
  Input:
    KEYS[#KEYS] the user's event counter in this stream (STRING, expires after the window)
    ARGV[#ARGV] events allowed per window
  Output:
    an error reply `RATE_LIMITED <ms until the window ends>` over the limit; otherwise the script's own
]]
do
  local gateKey = table.remove(KEYS)
  local gateLimit = tonumber(table.remove(ARGV))
  local gateCount = redis.call('INCR', gateKey)
  if gateCount == 1 then redis.call('PEXPIRE', gateKey, 1000) end
  if gateCount > gateLimit then
    local ms = redis.call('PTTL', gateKey)
    if ms < 0 then
      redis.call('PEXPIRE', gateKey, 1000)
      ms = 1000
    end
    return redis.error_reply('RATE_LIMITED ' .. ms)
  end
end
