--[[
  Takes a viewer's one final vote in an open poll and counts it, in one step: votes from every node are
  counted exactly, and a second vote (any option) is refused.
  Input:
    KEYS[1] poll (HASH status, endsAt (0: no end), optionCount)
    KEYS[2] votes (HASH viewerId -> option)
    KEYS[3] counts (HASH option -> n)
    ARGV[1] viewerId  ARGV[2] option  ARGV[3] nowMs
  Output:
    1 | -1 no such poll | -2 closed | -3 no such option | -4 voted already
]]
local rcall = redis.call
local p = rcall('HMGET', KEYS[1], 'status', 'endsAt', 'optionCount')
if not p[1] then return -1 end
local endsAt = tonumber(p[2]) or 0
if p[1] ~= 'open' or (endsAt > 0 and tonumber(ARGV[3]) >= endsAt) then return -2 end
local option = tonumber(ARGV[2])
if option < 0 or option >= tonumber(p[3]) then return -3 end
if rcall('HSETNX', KEYS[2], ARGV[1], option) == 0 then return -4 end
rcall('HINCRBY', KEYS[3], option, 1)
return 1
