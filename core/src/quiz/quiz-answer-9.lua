--[[
  Takes a viewer's one final answer to an open quiz. Correct answers join a list in the order this
  script accepted them: "first K correct" is that order, one total order across every node. An answer is
  counted in the viewer's activity ledger (quizAnswers, activity-ledger.include.lua) in the same step.
  Input:
    KEYS[1] quiz (HASH status, endsAt, optionCount, correctOption)
    KEYS[2] answers (HASH viewerId -> option)
    KEYS[3] counts (HASH option -> n)
    KEYS[4] correct answers (LIST viewerId)
    KEYS[5] viewer activity (HASH)  KEYS[6] activity totals (HASH)  KEYS[7] activity timeline (HASH)
    KEYS[8] activity dirty viewers (ZSET)  KEYS[9] activity change sequence (STRING)
    ARGV[1] viewerId  ARGV[2] option  ARGV[3] nowMs
  Output:
    1 | -1 no such quiz | -2 closed | -3 no such option | -4 answered already
]]
--! include activity/activity-ledger.include.lua
local rcall = redis.call
local q = rcall('HMGET', KEYS[1], 'status', 'endsAt', 'optionCount', 'correctOption')
if not q[1] then return -1 end
if q[1] ~= 'open' or tonumber(ARGV[3]) >= tonumber(q[2]) then return -2 end
local option = tonumber(ARGV[2])
if option < 0 or option >= tonumber(q[3]) then return -3 end
if rcall('HSETNX', KEYS[2], ARGV[1], option) == 0 then return -4 end
rcall('HINCRBY', KEYS[3], option, 1)
if option == tonumber(q[4]) then rcall('RPUSH', KEYS[4], ARGV[1]) end
recordActivity({ KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9] }, ARGV[1], 'quizAnswers', 1, ARGV[3], 0)
return 1
