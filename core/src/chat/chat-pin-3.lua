--[[
  Pins one message of the hot history (replacing any pinned one), or unpins, and records who did it.
  Input:
    KEYS[1] hot history (ZSET id -> message JSON)
    KEYS[2] chat meta (HASH pinned, pinnedId)
    KEYS[3] moderation log (LIST, newest first)
    ARGV[1] message id (decimal), or '' to unpin
    ARGV[2] pinned record JSON without its opening brace and message: '"pinnedBy":...}'
    ARGV[3] log entry JSON without its opening brace: '"at":...}'
    ARGV[4] log cap
  Output:
    { 1, pinned JSON } pinned | { 2 } unpinned | { 3 } nothing was pinned | { 0 } no such message
]]
local rcall = redis.call
local entry
local result
if ARGV[1] == '' then
  if rcall('HDEL', KEYS[2], 'pinned', 'pinnedId') == 0 then return { 3 } end
  entry = '{' .. ARGV[3]
  result = { 2 }
else
  local member = rcall('ZRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[1])[1]
  if not member then return { 0 } end
  local pinned = '{"message":' .. member .. ',' .. ARGV[2]
  rcall('HSET', KEYS[2], 'pinned', pinned, 'pinnedId', ARGV[1])
  local author = cjson.decode(member).userId
  entry = '{"target":' .. cjson.encode(author) .. ',"message":' .. member .. ',' .. ARGV[3]
  result = { 1, pinned }
end
rcall('LPUSH', KEYS[3], entry)
rcall('LTRIM', KEYS[3], 0, tonumber(ARGV[4]) - 1)
return result
