--[[
  Credits loyalty points once per grant id, within the viewer's per-stream cap, into a lot that
  expires at the end of a UTC day; drops lots already expired (the rules: points-grant.include.lua).
  Input:
    KEYS[1] lots (HASH expiryDay -> points)
    KEYS[2] grants (HASH grantId -> points credited so far)
    KEYS[3] per-stream earnings (HASH streamId -> points)
    KEYS[4] the brand's points ledger (HASH, see the include)  KEYS[5] the brand's holders (ZSET)
    ARGV[1] grantId
    ARGV[2] mode: add (grant ARGV[3] once) | topup (bring this grant up to ARGV[3] in total)
    ARGV[3] points
    ARGV[4] streamId ('' = not capped per stream)
    ARGV[5] per-stream cap
    ARGV[6] nowMs
    ARGV[7] days until expiry
    ARGV[8] viewerId
  Output:
    points credited by this call (0 when already granted or capped)
]]
--[[
  The points grant, included (`--! include points/points-grant.include.lua`) by points-grant-3.lua (one
  grant) and points-grant-batch-n.lua (a rollup batch's watch-point top-ups): one copy of the rules.
  grant(lots, grants, streams, economy, holders, viewerId, grantId, mode, points, streamId, cap, now, expireDays)
  credits a grant once per grant id, within the viewer's per-stream cap, into a lot that expires at the end
  of a UTC day, and drops lots already expired. It writes the brand's points ledger in the same step
  (economy: `i:<today>` += credited, `x:<expiry day>` += credited; holders: the viewer, first grant time),
  so the economy (points.economy.ts) counts exactly what was credited. With a `ledger` (newLedger()), those
  two writes are collected instead and made by flushLedger once for many grants (a rollup batch): the same
  sums and holders, two HINCRBY and one ZADD per batch rather than per viewer.
  Input:
    lots (HASH expiryDay -> points), grants (HASH grantId -> points credited so far),
    streams (HASH streamId -> points) of one viewer: KEYS of the calling script, in the brand's slot
    economy (HASH, the brand's ledger: i:<day> issued, r:<day> redeemed, x:<day> points left in lots
      expiring at the end of that day, n:<day> redemptions), holders (ZSET viewerId -> first grant ms)
    mode: add (grant `points` once) | topup (bring this grant up to `points` in total)
    streamId: '' = not capped per stream
  Output:
    points credited by this call (0 when already granted or capped)
]]
local function ledgerAdd(ledger, field, n)
  if not ledger.economy[field] then ledger.fields[#ledger.fields + 1] = field end
  ledger.economy[field] = (ledger.economy[field] or 0) + n
end

--- A ledger that collects many grants' writes to the brand's economy and holders, written by flushLedger.
local function newLedger()
  return { economy = {}, fields = {}, holders = {} }
end

--- Writes what a ledger collected: one HINCRBY per economy field, one ZADD NX per 500 holders.
local function flushLedger(ledger, economyKey, holdersKey)
  for _, field in ipairs(ledger.fields) do redis.call('HINCRBY', economyKey, field, ledger.economy[field]) end
  local h = ledger.holders
  for from = 1, #h, 1000 do redis.call('ZADD', holdersKey, 'NX', unpack(h, from, math.min(#h, from + 999))) end
end

local function grant(lotsKey, grantsKey, streamsKey, economyKey, holdersKey, viewerId, grantId, mode, points, streamId, cap, now, expireDays, ledger)
  local DAY = 86400000
  points = tonumber(points)
  local have = tonumber(redis.call('HGET', grantsKey, grantId) or '-1')
  local want
  if mode == 'add' then
    if have >= 0 then return 0 end
    have = 0
    want = points
  else
    if have < 0 then have = 0 end
    want = points - have
  end
  if want <= 0 then return 0 end
  local credited = want
  if streamId ~= '' then
    local earned = tonumber(redis.call('HGET', streamsKey, streamId) or '0')
    credited = math.max(0, math.min(want, tonumber(cap) - earned))
  end
  -- a capped add is recorded too, so a retry of the same grant never tops it up later
  if credited == 0 and mode == 'topup' then return 0 end
  redis.call('HSET', grantsKey, grantId, have + credited)
  if credited == 0 then return 0 end
  now = tonumber(now)
  local today = math.floor(now / DAY)
  local day = math.floor((now + tonumber(expireDays) * DAY) / DAY)
  redis.call('HINCRBY', lotsKey, day, credited)
  if ledger then
    ledgerAdd(ledger, 'i:' .. today, credited)
    ledgerAdd(ledger, 'x:' .. day, credited)
    ledger.holders[#ledger.holders + 1] = now
    ledger.holders[#ledger.holders + 1] = viewerId
  else
    redis.call('HINCRBY', economyKey, 'i:' .. today, credited)
    redis.call('HINCRBY', economyKey, 'x:' .. day, credited)
    redis.call('ZADD', holdersKey, 'NX', now, viewerId)
  end
  if streamId ~= '' then redis.call('HINCRBY', streamsKey, streamId, credited) end
  local lots = redis.call('HKEYS', lotsKey)
  for i = 1, #lots do
    if tonumber(lots[i]) < today then redis.call('HDEL', lotsKey, lots[i]) end
  end
  return credited
end
return grant(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[8], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
