--[[
  Adds one node's coalesced reactions to a stream's totals and decides whether this node pushes
  `reaction:totals` now: at most one push per stream per interval across all nodes (SET NX PX token).
  Changes a node could not push stay flagged as pending, and whoever takes the next token pushes them;
  a node calls this again with no counts to retry its pending push.
  Input:
    KEYS[1] totals (HASH kind -> count)
    KEYS[2] pending flag (STRING)
    KEYS[3] push token (STRING, expires after the interval)
    ARGV[1] interval ms  ARGV[2..] kind, count, kind, count ...
  Output:
    0 nothing to push | -1 another push holds this interval (retry) | totals as flat HGETALL
]]
local rcall = redis.call
for i = 2, #ARGV - 1, 2 do
  rcall('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
if #ARGV > 1 then rcall('SET', KEYS[2], '1') end
if rcall('EXISTS', KEYS[2]) == 0 then return 0 end
if not rcall('SET', KEYS[3], '1', 'NX', 'PX', ARGV[1]) then return -1 end
rcall('DEL', KEYS[2])
return rcall('HGETALL', KEYS[1])
