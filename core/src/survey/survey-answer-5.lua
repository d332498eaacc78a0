--[[
  Takes an eligible viewer's one answer to a stream's post-stream survey, within its window. The comment
  (already cleaned by the text rules) is checked against the stream's chat blocked words, as chat matches
  them (whole words of the normalized text).
  Input:
    KEYS[1] survey (HASH minWatchMs, closesAt; exists once the stream ended)
    KEYS[2] the viewer's activity ledger in this stream (HASH watchMs)
    KEYS[3] answers (HASH viewerId -> answer JSON)
    KEYS[4] tally (HASH score -> n)
    KEYS[5] chat blocked words (SET, normalized)
    ARGV[1] viewerId  ARGV[2] score  ARGV[3] nowMs  ARGV[4] answer JSON
    ARGV[5] the comment's words, normalized and space-padded ('' without a comment)
  Output:
    1 | -1 no survey (yet) | -2 window closed | -3 not eligible | -4 answered already | -5 blocked word
]]
local rcall = redis.call
local s = rcall('HMGET', KEYS[1], 'minWatchMs', 'closesAt')
if not s[2] then return -1 end
if tonumber(ARGV[3]) >= tonumber(s[2]) then return -2 end
local watched = tonumber(rcall('HGET', KEYS[2], 'watchMs') or '0') or 0
if watched < tonumber(s[1]) then return -3 end
if rcall('HEXISTS', KEYS[3], ARGV[1]) == 1 then return -4 end
if ARGV[5] ~= '' then
  for _, w in ipairs(rcall('SMEMBERS', KEYS[5])) do
    if string.find(ARGV[5], ' ' .. w .. ' ', 1, true) then return -5 end
  end
end
rcall('HSET', KEYS[3], ARGV[1], ARGV[4])
rcall('HINCRBY', KEYS[4], ARGV[2], 1)
return 1
