--[[
  The same grant (one grant id, mode, stream, cap and expiry) for many viewers of one brand at once: a
  rollup batch's watch-point top-ups in one call instead of one per viewer (the rules: points-grant.include.lua).
  Input:
    KEYS[1] the brand's points ledger (HASH)  KEYS[2] the brand's holders (ZSET) (see the include)
    KEYS[3] the first viewer's points (HASH, see points.keys.ts), then, with four keys per viewer, that viewer's
      older-layout lots, grants, per-stream earnings (folded in once); then the second viewer's; ... (all in
      the brand's slot)
    ARGV[1] grantId  ARGV[2] mode (add | topup)  ARGV[3] streamId ('' = not capped per stream)
    ARGV[4] per-stream cap  ARGV[5] nowMs  ARGV[6] days until expiry
    ARGV[7] keys per viewer: 4, or 1 once the deployment holds nothing in the older layout (pointsLayoutKey)
    ARGV[8..] viewerId, points: two per viewer, in KEYS order
  The brand's ledger (economy sums, holders) is written once for the whole batch, after the viewers (see the
  include's flushLedger); whether any viewer still has older-layout keys is asked once for the batch.
  Output:
    points credited to each viewer by this call, in KEYS order
]]
--! include points/points-layout.include.lua
--! include points/points-grant.include.lua
local out = {}
local ledger = newLedger()
local spec = grantSpec(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
local per = tonumber(ARGV[7])
-- one EXISTS over every viewer's older-layout keys: when none is left, no viewer is checked one by one
local anyOld = false
if per == 4 then
  local olds = {}
  for k = 4, #KEYS, 4 do
    olds[#olds + 1] = KEYS[k]
    olds[#olds + 1] = KEYS[k + 1]
    olds[#olds + 1] = KEYS[k + 2]
  end
  for from = 1, #olds, 999 do
    if redis.call('EXISTS', unpack(olds, from, math.min(#olds, from + 998))) > 0 then
      anyOld = true
      break
    end
  end
end
local k = 3
for i = 8, #ARGV, 2 do
  if per == 4 then
    out[#out + 1] = grant(spec, KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[1], KEYS[2], ARGV[i], ARGV[i + 1], ledger, not anyOld)
  else
    out[#out + 1] = grant(spec, KEYS[k], nil, nil, nil, KEYS[1], KEYS[2], ARGV[i], ARGV[i + 1], ledger, true)
  end
  k = k + per
end
flushLedger(ledger, KEYS[1], KEYS[2])
return out
