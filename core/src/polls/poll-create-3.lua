--[[
  Opens a poll on a live stream that has no open poll.
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] the stream's open poll (STRING pollId)
    KEYS[3] the new poll (HASH)
    ARGV[1] pollId  ARGV[2..] field, value pairs of the poll
  Output:
    1 | -1 not live | { -2, id of the poll already open }
]]
local rcall = redis.call
if rcall('HGET', KEYS[1], 'status') ~= 'live' then return -1 end
local open = rcall('GET', KEYS[2])
if open then return { -2, open } end
local fields = {}
for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
rcall('HSET', KEYS[3], unpack(fields))
rcall('HSET', KEYS[3], 'id', ARGV[1], 'status', 'open')
rcall('SET', KEYS[2], ARGV[1])
return 1
