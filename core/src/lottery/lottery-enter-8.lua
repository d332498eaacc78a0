--[[
  Enters a viewer into a lottery: every rule that lives in the stream's slot is checked here, with the
  entry, so no two calls can both pass (one entry per viewer across tabs and nodes).
  The brand-wide recent-winner rule lives in another slot and is checked by the caller just before.
  An entry (by button or by keyword) is counted in the viewer's activity ledger (lotteryEntries,
  activity-ledger.include.lua) in the same step.
  Input:
    KEYS[1] lottery meta (HASH status, endsAt, keyword, minWatchSec, requireChat, entrants)
    KEYS[2] lottery entries (HASH viewerId -> nonce)
    KEYS[3] stream meta (HASH status)
    KEYS[4] the viewer's activity ledger in this stream (HASH watchMs, chat, ...)
    KEYS[5] activity totals (HASH)  KEYS[6] activity timeline (HASH)  KEYS[7] activity dirty viewers (ZSET)
    KEYS[8] activity change sequence (STRING)
    ARGV[1] viewerId  ARGV[2] nonce ('' when none)  ARGV[3] nowMs  ARGV[4] via: button | chat
    ARGV[5] 1 when the viewer spends a raffle ticket of the brand on this entry: the watch-time and chat
            rules are waived (the caller took the ticket, see points/raffle-ticket-2.lua), else 0
  Output:
    entrants after this entry | -1 no lottery | -2 closed | -3 already entered | -4 watch time too short
    | -5 has not chatted | -6 keyword only (button refused)
]]
--! include activity/activity-ledger.include.lua
local rcall = redis.call
local m = rcall('HMGET', KEYS[1], 'status', 'endsAt', 'keyword', 'minWatchSec', 'requireChat')
if not m[1] then return -1 end
if m[1] ~= 'open' or tonumber(ARGV[3]) >= tonumber(m[2]) then return -2 end
if rcall('HGET', KEYS[3], 'status') ~= 'live' then return -2 end
if m[3] and m[3] ~= '' and ARGV[4] ~= 'chat' then return -6 end
if rcall('HEXISTS', KEYS[2], ARGV[1]) == 1 then return -3 end
local waived = ARGV[5] == '1'
local minWatchSec = tonumber(m[4] or '0') or 0
if minWatchSec > 0 and not waived then
  local watchMs = tonumber(rcall('HGET', KEYS[4], 'watchMs') or '0') or 0
  if watchMs < minWatchSec * 1000 then return -4 end
end
if m[5] == '1' and ARGV[4] ~= 'chat' and not waived then
  local chat = tonumber(rcall('HGET', KEYS[4], 'chat') or '0') or 0
  if chat < 1 then return -5 end
end
rcall('HSET', KEYS[2], ARGV[1], ARGV[2])
recordActivity({ KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8] }, ARGV[1], 'lotteryEntries', 1, ARGV[3], 0)
return rcall('HINCRBY', KEYS[1], 'entrants', 1)
