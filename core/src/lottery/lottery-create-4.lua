--[[
  Opens a lottery on a live stream: at most one open lottery per stream.
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] the stream's open lottery (HASH id, keyword)
    KEYS[3] the stream's latest lottery (STRING id)
    KEYS[4] the new lottery's meta (HASH)
    ARGV[1] lotteryId  ARGV[2] keyword ('' when none)  ARGV[3..] meta field, value, field, value...
  Output:
    1 created | -1 stream not live | { -2, id of the lottery already open }
]]
local rcall = redis.call
if rcall('HGET', KEYS[1], 'status') ~= 'live' then return -1 end
local open = rcall('HGET', KEYS[2], 'id')
if open then return { -2, open } end
rcall('HSET', KEYS[4], unpack(ARGV, 3))
rcall('HSET', KEYS[2], 'id', ARGV[1], 'keyword', ARGV[2])
rcall('SET', KEYS[3], ARGV[1])
return 1
