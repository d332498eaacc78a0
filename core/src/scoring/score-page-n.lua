--[[
  One page of a brand's leaderboard: walks one board, or several merged into one order (the at-risk segment
  walks the new, engaged and loyal tier boards), from a cursor, highest key first (ties by viewer id,
  descending), keeping viewers whose latest stream started in [minAsOf, maxAsOf), until `limit` are kept
  or `budget` members were looked at. A viewer's latest stream start is read from their rating (one HMGET
  per chunk looked at), so no index of it is kept beside the boards.
  Each board is walked by rank from where the cursor falls in it: the cursor viewer's own rank when the
  board still holds it at the cursor's key, else the first rank past (key, viewer), found by a binary search
  over the members tied at that key (a viewer re-rated since, or a board that never held the viewer).
  Ids are compared byte by byte, as Redis orders a sorted set's ties (Lua's own `<` follows the locale).
  Input:
    KEYS[1] ratings (HASH viewerId -> '<version>;<score>;<asOf>;<tier>;<streams>')
    KEYS[2..] boards to walk (ZSET viewerId -> board key), all in the brand's slot
    ARGV[1] cursor key ('+inf' to start at the top)  ARGV[2] cursor viewerId ('' = include the key itself)
    ARGV[3] limit  ARGV[4] budget  ARGV[5] minAsOf  ARGV[6] maxAsOf
  Output:
    { { viewerId, rating, ... }, last key looked at, last viewerId looked at } (the last two '' at the end)
]]
local rcall = redis.call
local limit, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local minAsOf, maxAsOf = tonumber(ARGV[5]), tonumber(ARGV[6])
local chunk = math.min(budget, math.max(limit * 2, 100))

-- a before b in a board's descending order of ties: a's bytes compare greater
local function bytesAbove(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end

-- the rank (0-based, descending) of the first member of `board` after the cursor
local function startRank(board)
  if ARGV[1] == '+inf' and ARGV[2] == '' then return 0 end
  local key, viewer = ARGV[1], ARGV[2]
  if viewer ~= '' then
    local at = rcall('ZSCORE', board, viewer)
    if at and tonumber(at) == tonumber(key) then return rcall('ZREVRANK', board, viewer) + 1 end
  end
  local lo = rcall('ZCOUNT', board, '(' .. key, '+inf')
  if viewer == '' then return lo end
  -- ties at `key` come by id descending; skip those at or above the cursor viewer's id
  local hi = lo + rcall('ZCOUNT', board, key, key)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local member = rcall('ZREVRANGE', board, mid, mid)[1]
    if member == viewer or bytesAbove(member, viewer) then lo = mid + 1 else hi = mid end
  end
  return lo
end

local walks = {}
for b = 2, #KEYS do
  walks[#walks + 1] = { key = KEYS[b], rank = startRank(KEYS[b]), rows = {}, at = 1, ended = false }
end

-- the next member in the merged order, or nil when every board is walked to its end
local function nextMember()
  local best, bestKey
  for _, w in ipairs(walks) do
    if w.at > #w.rows and not w.ended then
      w.rows = rcall('ZREVRANGE', w.key, w.rank, w.rank + chunk - 1, 'WITHSCORES')
      w.at = 1
      w.rank = w.rank + #w.rows / 2
      if #w.rows < chunk * 2 then w.ended = true end
    end
    if w.at <= #w.rows then
      local key = tonumber(w.rows[w.at + 1])
      if not best or key > bestKey or (key == bestKey and bytesAbove(w.rows[w.at], best.rows[best.at])) then
        best, bestKey = w, key
      end
    end
  end
  if not best then return nil end
  local member, key = best.rows[best.at], best.rows[best.at + 1]
  best.at = best.at + 2
  return member, key
end

local kept, looked = {}, 0
local lastKey, lastMember = '', ''
local exhausted = false
while #kept < limit * 2 and looked < budget and not exhausted do
  local members, keys = {}, {}
  while #members < math.min(chunk, budget - looked) do
    local member, key = nextMember()
    if not member then
      exhausted = true
      break
    end
    members[#members + 1] = member
    keys[#keys + 1] = key
  end
  if #members == 0 then break end
  local ratings = rcall('HMGET', KEYS[1], unpack(members))
  for i = 1, #members do
    looked = looked + 1
    lastKey, lastMember = keys[i], members[i]
    local rating = ratings[i]
    local asOf = rating and tonumber(string.match(rating, '^[^;]*;[^;]*;([^;]*)')) or -math.huge
    if asOf >= minAsOf and asOf < maxAsOf then
      kept[#kept + 1] = members[i]
      kept[#kept + 1] = rating
    end
    if #kept >= limit * 2 then
      -- stopped before the chunk's end: what follows was not looked at, and the next page starts there
      if i < #members then exhausted = false end
      break
    end
  end
end
if exhausted then lastKey, lastMember = '', '' end
return { kept, lastKey, lastMember }
