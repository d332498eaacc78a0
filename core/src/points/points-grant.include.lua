--[[
  The points grant, included (`--! include points/points-grant.include.lua`) by points-grant-6.lua (one
  grant) and points-grant-batch-n.lua (a rollup batch's watch-point top-ups): one copy of the rules.
  grant(grantSpec(grantId, mode, streamId, cap, now, expireDays), pointsKey, oldLots, oldGrants, oldStreams,
  economy, holders, viewerId, points) credits a grant once per grant id, within the viewer's per-stream cap, into a lot that
  expires at the end of a UTC day, and drops lots already expired. Per viewer it reads one HMGET and writes
  one HSET (the grant, the lot, the stream's earnings). It writes the brand's points ledger in the same step
  (economy: `i:<today>` += credited, `x:<expiry day>` += credited; holders: the viewer, first grant time),
  so the economy (points.economy.ts) counts exactly what was credited. With a `ledger` (newLedger()), those
  two writes are collected instead and made by flushLedger once for many grants (a rollup batch): the same
  sums and holders, two HINCRBY and one ZADD per batch rather than per viewer.
  Needs points/points-layout.include.lua included before it (foldOld).
  Input:
    points (HASH: l:<expiryDay> -> points, g:<grantId> -> points credited so far, s:<streamId> -> points, `_`)
    and the older layout's lots, grants, streams of one viewer (folded in by foldOld when `_` is missing):
    KEYS of the calling script, in the brand's slot
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

--- What a grant is, computed once for all the viewers it goes to (a batch's viewers share it).
local function grantSpec(grantId, mode, streamId, cap, now, expireDays)
  local DAY = 86400000
  local nowText = now
  now = tonumber(now)
  local today = math.floor(now / DAY)
  local day = math.floor((now + tonumber(expireDays) * DAY) / DAY)
  return {
    -- nowText: the time as given, for the holders' ZADD (a number would be formatted again for every viewer)
    mode = mode, streamId = streamId, cap = tonumber(cap), now = now, nowText = nowText, today = today,
    grantField = 'g:' .. grantId, streamField = 's:' .. streamId, lotField = 'l:' .. day,
    issued = 'i:' .. today, expiring = 'x:' .. day,
  }
end

--- One viewer's grant. noOld: the caller knows none of the viewer's older-layout keys exist (no fold check).
local function grant(spec, pointsKey, oldLots, oldGrants, oldStreams, economyKey, holdersKey, viewerId, points, ledger, noOld)
  points = tonumber(points)
  local grantField, streamField, lotField = spec.grantField, spec.streamField, spec.lotField
  local got = redis.call('HMGET', pointsKey, grantField, streamField, lotField, '_')
  if not got[4] and not noOld and foldOld(pointsKey, oldLots, oldGrants, oldStreams) then
    got = redis.call('HMGET', pointsKey, grantField, streamField, lotField, '_')
  end
  local have = tonumber(got[1] or '-1')
  local want
  if spec.mode == 'add' then
    if have >= 0 then return 0 end
    have = 0
    want = points
  else
    if have < 0 then have = 0 end
    want = points - have
  end
  if want <= 0 then return 0 end
  local credited = want
  local capped = spec.streamId ~= ''
  local earned = 0
  if capped then
    earned = tonumber(got[2] or '0')
    credited = math.max(0, math.min(want, spec.cap - earned))
  end
  -- a capped add is recorded too, so a retry of the same grant never tops it up later
  if credited == 0 and spec.mode == 'topup' then return 0 end
  if credited == 0 then
    redis.call('HSET', pointsKey, grantField, have, '_', '1')
    return 0
  end
  local lot = tonumber(got[3] or '0') + credited
  if capped then
    redis.call('HSET', pointsKey, grantField, have + credited, lotField, lot, streamField, earned + credited, '_', '1')
  else
    redis.call('HSET', pointsKey, grantField, have + credited, lotField, lot, '_', '1')
  end
  if ledger then
    ledgerAdd(ledger, spec.issued, credited)
    ledgerAdd(ledger, spec.expiring, credited)
    ledger.holders[#ledger.holders + 1] = spec.nowText
    ledger.holders[#ledger.holders + 1] = viewerId
  else
    redis.call('HINCRBY', economyKey, spec.issued, credited)
    redis.call('HINCRBY', economyKey, spec.expiring, credited)
    redis.call('ZADD', holdersKey, 'NX', spec.now, viewerId)
  end
  -- a new lot in a hash that held something before: drop the lots already expired (once per lot made, so at
  -- most once a day per viewer; readers skip expired lots anyway, this only keeps the hash small). A hash
  -- without `_` held nothing (every write marks it) or was just folded in (got was read again).
  if not got[3] and got[4] then
    local fields = redis.call('HKEYS', pointsKey)
    local today = spec.today
    for i = 1, #fields do
      local f = fields[i]
      if string.sub(f, 1, 2) == 'l:' and (tonumber(string.sub(f, 3)) or today) < today then redis.call('HDEL', pointsKey, f) end
    end
  end
  return credited
end
