--[[
  One page of a brand's leaderboard: walks a board from a cursor, highest key first (ties by viewer id,
  descending), keeping viewers whose latest stream started in [minAsOf, maxAsOf), until `limit` are kept
  or `budget` members were looked at.
  Input:
    KEYS[1] board to walk (ZSET viewerId -> board key)
    KEYS[2] asOf (ZSET viewerId -> start of the viewer's latest stream)
    KEYS[3] ratings (HASH viewerId -> rating)
    ARGV[1] cursor key ('+inf' to start at the top)  ARGV[2] cursor viewerId ('' = include the key itself)
    ARGV[3] limit  ARGV[4] budget  ARGV[5] minAsOf  ARGV[6] maxAsOf
  Output:
    { { viewerId, rating, ... }, last key looked at, last viewerId looked at } (the last two '' at the end)
]]
local rcall = redis.call
local limit, budget = tonumber(ARGV[3]), tonumber(ARGV[4])
local minAsOf, maxAsOf = tonumber(ARGV[5]), tonumber(ARGV[6])
local chunk = math.min(budget, math.max(limit * 2, 100))
local kept, looked = {}, 0
local lastKey, lastMember = '', ''

local function take(member, key)
  looked = looked + 1
  lastKey, lastMember = key, member
  local asOf = tonumber(rcall('ZSCORE', KEYS[2], member) or '0')
  if asOf >= minAsOf and asOf < maxAsOf then
    kept[#kept + 1] = member
    kept[#kept + 1] = rcall('HGET', KEYS[3], member) or ''
  end
end

local rank = nil
if ARGV[2] ~= '' then
  local at = rcall('ZSCORE', KEYS[1], ARGV[2])
  if at and tonumber(at) == tonumber(ARGV[1]) then rank = rcall('ZREVRANK', KEYS[1], ARGV[2]) + 1 end
end

local exhausted = false
if rank then
  -- The cursor's viewer is still where it was: continue right after it by rank.
  while #kept < limit * 2 and looked < budget do
    local rows = rcall('ZREVRANGE', KEYS[1], rank, rank + chunk - 1, 'WITHSCORES')
    if #rows == 0 then exhausted = true break end
    for j = 1, #rows, 2 do
      take(rows[j], rows[j + 1])
      if j + 1 == #rows and #rows < chunk * 2 then exhausted = true end
      if #kept >= limit * 2 or looked >= budget then break end
    end
    if exhausted then break end
    rank = rank + #rows / 2
  end
else
  -- It moved (a rollup re-rated it) or this is the first page: continue by key, skipping ties before it.
  local offset = 0
  while #kept < limit * 2 and looked < budget do
    local rows = rcall('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], '-inf', 'WITHSCORES', 'LIMIT', offset, chunk)
    if #rows == 0 then exhausted = true break end
    for j = 1, #rows, 2 do
      local member, key = rows[j], rows[j + 1]
      if not (ARGV[2] ~= '' and tonumber(key) == tonumber(ARGV[1]) and member >= ARGV[2]) then
        take(member, key)
      end
      if j + 1 == #rows and #rows < chunk * 2 then exhausted = true end
      if #kept >= limit * 2 or looked >= budget then break end
    end
    if exhausted then break end
    offset = offset + #rows / 2
  end
end
if exhausted then lastKey, lastMember = '', '' end
return { kept, lastKey, lastMember }
