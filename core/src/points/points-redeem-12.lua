--[[
  Redeems one reward of a brand's catalog for points, in one atomic step: the reward exists and is active,
  the viewer's balance reaches its minimum tier, the viewer is under its per-viewer limit, a unit is left,
  and the viewer's unexpired points cover the cost. The cost is spent from the lots that expire soonest
  first; the stock never goes below zero and the balance never below zero. The redemption is recorded
  (its record, the viewer's list, the brand's time index, the points ledger, a raffle ticket) in the same
  step. Idempotent per opId: a retry answers the first redemption, charged once, whatever changed since.
  Input:
    KEYS[1] reward meta (HASH id, brandId, title, kind, cost, stock, redeemed, perViewer, minTier, active)
    KEYS[2] reward claims (HASH viewerId -> redemptions)
    KEYS[3] the viewer's points (HASH; its lots are the fields l:<expiryDay> -> points, see points.keys.ts)
    KEYS[4] the viewer's redemptions (LIST of ids, newest first)
    KEYS[5] the brand's redeem ops (HASH op field -> redemption id)
    KEYS[6] the brand's redemptions (HASH id -> JSON record)
    KEYS[7] the brand's redemptions by time (ZSET id -> at)
    KEYS[8] the brand's points ledger (HASH i:/r:/n:/x:<day>, see points.keys.ts)
    KEYS[9] the brand's raffle tickets (HASH viewerId -> tickets)
    KEYS[10..12] the older layout's lots, grants, per-stream earnings of the viewer (folded into KEYS[3] first)
    ARGV[1] viewerId  ARGV[2] op field ('' = none)  ARGV[3] new redemption id  ARGV[4] coupon code (used by
    coupon rewards)  ARGV[5] nowMs
    ARGV[6..] the loyalty tiers: name, threshold, name, threshold, ...
  Output:
    { redemption id, JSON record, replay (1|0), day, points, day, points, ... (the unexpired lots after it) }
    | { -1 no such reward | -2 inactive | -3 below the minimum tier | -4 per-viewer limit reached
        | -5 sold out, 0 } | { -6 not enough points, the balance }
]]
--! include points/points-layout.include.lua
local rcall = redis.call
local DAY = 86400000
local viewerId, opField, now = ARGV[1], ARGV[2], tonumber(ARGV[5])
local today = math.floor(now / DAY)

-- the unexpired lots, soonest expiry first (expired ones are dropped: their points are lost)
local function readLots()
  if not rcall('HGET', KEYS[3], '_') then foldOld(KEYS[3], KEYS[10], KEYS[11], KEYS[12]) end
  local raw = rcall('HGETALL', KEYS[3])
  local lots, balance = {}, 0
  for i = 1, #raw, 2 do
    local day = string.sub(raw[i], 1, 2) == 'l:' and tonumber(string.sub(raw[i], 3))
    if day then
      local pts = tonumber(raw[i + 1]) or 0
      if day < today or pts <= 0 then
        rcall('HDEL', KEYS[3], raw[i])
      else
        lots[#lots + 1] = { day, pts }
        balance = balance + pts
      end
    end
  end
  table.sort(lots, function(a, b) return a[1] < b[1] end)
  return lots, balance
end

local function answer(id, record, replay, lots)
  local out = { id, record, replay }
  for i = 1, #lots do
    out[#out + 1] = lots[i][1]
    out[#out + 1] = lots[i][2]
  end
  return out
end

if opField ~= '' then
  local done = rcall('HGET', KEYS[5], opField)
  if done then
    local lots = readLots()
    return answer(done, rcall('HGET', KEYS[6], done), 1, lots)
  end
end

if rcall('EXISTS', KEYS[1]) == 0 then return { -1, 0 } end
local r = rcall('HMGET', KEYS[1], 'id', 'title', 'kind', 'cost', 'stock', 'perViewer', 'minTier', 'active')
if r[8] ~= '1' then return { -2, 0 } end
local cost = tonumber(r[4])
local lots, balance = readLots()

if r[7] and r[7] ~= '' then
  local need
  for i = 6, #ARGV, 2 do
    if ARGV[i] == r[7] then need = tonumber(ARGV[i + 1]) end
  end
  -- a tier no longer configured is reached by nobody
  if need == nil or balance < need then return { -3, 0 } end
end
local perViewer = tonumber(r[6] or '')
if perViewer and tonumber(rcall('HGET', KEYS[2], viewerId) or '0') >= perViewer then return { -4, 0 } end
if tonumber(r[5]) <= 0 then return { -5, 0 } end
if balance < cost then return { -6, balance } end

-- spend: soonest-expiring lots first
local left = cost
for i = 1, #lots do
  if left == 0 then break end
  local take = math.min(left, lots[i][2])
  lots[i][2] = lots[i][2] - take
  left = left - take
  if lots[i][2] == 0 then
    rcall('HDEL', KEYS[3], 'l:' .. lots[i][1])
  else
    rcall('HSET', KEYS[3], 'l:' .. lots[i][1], lots[i][2])
  end
  rcall('HINCRBY', KEYS[8], 'x:' .. lots[i][1], -take)
end
local kept = {}
for i = 1, #lots do
  if lots[i][2] > 0 then kept[#kept + 1] = lots[i] end
end

rcall('HINCRBY', KEYS[1], 'stock', -1)
rcall('HINCRBY', KEYS[1], 'redeemed', 1)
rcall('HINCRBY', KEYS[2], viewerId, 1)
rcall('HINCRBY', KEYS[8], 'r:' .. today, cost)
rcall('HINCRBY', KEYS[8], 'n:' .. today, 1)

local id = ARGV[3]
local rec = { id = id, rewardId = r[1], viewerId = viewerId, kind = r[3], title = r[2], cost = cost, at = now }
if r[3] == 'coupon' then rec.code = ARGV[4] end
if r[3] == 'raffle' then rcall('HINCRBY', KEYS[9], viewerId, 1) end
local record = cjson.encode(rec)
rcall('HSET', KEYS[6], id, record)
rcall('ZADD', KEYS[7], now, id)
rcall('LPUSH', KEYS[4], id)
if opField ~= '' then rcall('HSET', KEYS[5], opField, id) end
return answer(id, record, 0, kept)
