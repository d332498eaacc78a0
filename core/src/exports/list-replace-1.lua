--[[
  Replaces one item of a list by value, atomically: the data-rights rewrite of a moderation log entry (or a
  quiz's correct list) while moderators may push new entries, which shift every index. The item is looked for
  at the index it was read at first, then anywhere in the list (lists here are capped: at most 10,000 items).
  Input:
    KEYS[1] the list
    ARGV[1] the item as it was read
    ARGV[2] its replacement
    ARGV[3] the index it was read at
  Output:
    1 replaced | 0 no longer in the list
]]
local rcall = redis.call
local hint = tonumber(ARGV[3])
if rcall('LINDEX', KEYS[1], hint) == ARGV[1] then
  rcall('LSET', KEYS[1], hint, ARGV[2])
  return 1
end
local pos = rcall('LPOS', KEYS[1], ARGV[1])
if not pos then return 0 end
rcall('LSET', KEYS[1], pos, ARGV[2])
return 1
