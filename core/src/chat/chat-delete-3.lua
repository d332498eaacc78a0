--[[
  Deletes one message from the hot history (unpinning it if it was pinned) and records who did it.
  Input:
    KEYS[1] hot history (ZSET id -> message JSON)
    KEYS[2] chat meta (HASH pinned, pinnedId)
    KEYS[3] moderation log (LIST, newest first)
    ARGV[1] message id (decimal)
    ARGV[2] log entry JSON without its opening brace: '"at":...}'
    ARGV[3] log cap
  Output:
    { 1, message JSON, unpinned (1|0) } | { 0 } no such message in the hot history
]]
local rcall = redis.call
local found = rcall('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
local member = found[1]
if not member then return { 0 } end
rcall('ZREMRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])
local unpinned = 0
if rcall('HGET', KEYS[2], 'pinnedId') == ARGV[1] then
  rcall('HDEL', KEYS[2], 'pinned', 'pinnedId')
  unpinned = 1
end
local author = cjson.decode(member).userId
rcall('LPUSH', KEYS[3], '{"target":' .. cjson.encode(author) .. ',"message":' .. member .. ',' .. ARGV[2])
rcall('LTRIM', KEYS[3], 0, tonumber(ARGV[3]) - 1)
return { 1, member, unpinned }
