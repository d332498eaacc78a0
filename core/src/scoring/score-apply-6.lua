--[[
  Stores the ratings computed from merged histories, unless a rating from a later history version is
  already there (two workers, or a retry, racing on the same viewer), then advances the stream's rollup
  cursor. Ratings are absolute, so applying a batch again changes nothing. The cursor moves only if it
  already reached where this batch started (ARGV[3]): a rollup sends its batches without waiting for each
  reply, and a batch stored after an earlier one failed must not move the cursor past that one.
  The stored ratings are read with one HMGET and each key written with one variadic command (per 500
  viewers), not one call per viewer and key; a viewer given twice ends as if the groups came one call at a
  time (the later group is compared with the earlier one, and only the final state is written).
  One sorted-set member per viewer, in the board of the viewer's tier (moved out of the one before when the
  tier changed): a page of several tiers, or of all, walks their boards merged and reads the latest stream
  start from the rating (score-page-n.lua), so no board of everyone, pool of tiers or index by stream start
  is written here.
  Input:
    KEYS[1] ratings (HASH viewerId -> '<version>;<score>;<asOf>;<tier>;<streams>')
    KEYS[2..5] tier boards new, casual, engaged, loyal (ZSET viewerId -> board key)
    KEYS[6] rollup cursors (HASH streamId -> change sequence)
    ARGV[1] streamId  ARGV[2] change sequence the batch reached
    ARGV[3] change sequence the batch started after (0: move the cursor whatever it is)
    ARGV[4..] groups of 3: viewerId, rating as stored ('<version>;<score>;<asOf>;<tier>;<streams>'), boardKey
  Output:
    how many ratings were written
]]
local rcall = redis.call
local CHUNK = 1000 -- arguments per variadic call (unpack has a stack limit)
local tierKey = { new = KEYS[2], casual = KEYS[3], engaged = KEYS[4], loyal = KEYS[5] }

local first, n = 4, (#ARGV - 3) / 3
local stored = {}
for from = 1, n, CHUNK do
  local ids = {}
  for i = from, math.min(n, from + CHUNK - 1) do ids[#ids + 1] = ARGV[first + 3 * (i - 1)] end
  local got = rcall('HMGET', KEYS[1], unpack(ids))
  for j = 1, #ids do stored[from + j - 1] = got[j] end
end

-- per viewer: the tier stored before this call, and the last accepted group (its ARGV index) and its tier
local order, wasTier, final, finalTier, current = {}, {}, {}, {}, {}
local applied = 0
for i = 1, n do
  local a = first + 3 * (i - 1)
  local viewer, rating = ARGV[a], ARGV[a + 1]
  local version, tier = string.match(rating, '^([^;]*);[^;]*;[^;]*;([^;]*);')
  local cur = current[viewer]
  if cur == nil then
    cur = stored[i] or false
    current[viewer] = cur
    order[#order + 1] = viewer
    wasTier[viewer] = cur and string.match(cur, '^[^;]*;[^;]*;[^;]*;([^;]*)') or false
  end
  local curVersion = cur and (tonumber(string.match(cur, '^([^;]*)')) or -1) or -1
  if tierKey[tier] and tonumber(version) >= curVersion then
    current[viewer] = rating
    final[viewer] = a
    finalTier[viewer] = tier
    applied = applied + 1
  end
end

local ratings = {}
local into, outOf = { new = {}, casual = {}, engaged = {}, loyal = {} }, { new = {}, casual = {}, engaged = {}, loyal = {} }
local function push(t, x, y)
  t[#t + 1] = x
  t[#t + 1] = y
end
for _, viewer in ipairs(order) do
  local a = final[viewer]
  if a then
    local rating, key, tier = ARGV[a + 1], ARGV[a + 2], finalTier[viewer]
    push(ratings, viewer, rating)
    local was = wasTier[viewer]
    if was and was ~= tier and tierKey[was] then outOf[was][#outOf[was] + 1] = viewer end
    push(into[tier], key, viewer)
  end
end

local function each(command, key, list)
  for from = 1, #list, CHUNK do rcall(command, key, unpack(list, from, math.min(#list, from + CHUNK - 1))) end
end
each('HSET', KEYS[1], ratings)
for _, tier in ipairs({ 'new', 'casual', 'engaged', 'loyal' }) do
  each('ZREM', tierKey[tier], outOf[tier])
  each('ZADD', tierKey[tier], into[tier])
end

local reached = tonumber(rcall('HGET', KEYS[6], ARGV[1]) or '0')
if reached >= tonumber(ARGV[3]) and tonumber(ARGV[2]) > reached then rcall('HSET', KEYS[6], ARGV[1], ARGV[2]) end
return applied
