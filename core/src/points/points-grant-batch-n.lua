--[[
  The same grant (one grant id, mode, stream, cap and expiry) for many viewers of one brand at once: a
  rollup batch's watch-point top-ups in one call instead of one per viewer (the rules: points-grant.include.lua).
  Input:
    KEYS[1] the brand's points ledger (HASH)  KEYS[2] the brand's holders (ZSET) (see the include)
    KEYS[3], KEYS[4], KEYS[5] lots, grants, per-stream earnings (HASH) of the first viewer; KEYS[6..8] of the
      second; ... (three per viewer, all in the brand's slot)
    ARGV[1] grantId  ARGV[2] mode (add | topup)  ARGV[3] streamId ('' = not capped per stream)
    ARGV[4] per-stream cap  ARGV[5] nowMs  ARGV[6] days until expiry
    ARGV[7..] viewerId, points: two per viewer, in KEYS order
  The brand's ledger (economy sums, holders) is written once for the whole batch, after the viewers (see the
  include's flushLedger).
  Output:
    points credited to each viewer by this call, in KEYS order
]]
--! include points/points-grant.include.lua
local out = {}
local ledger = newLedger()
for i = 7, #ARGV, 2 do
  local k = 2 + (i - 7) / 2 * 3
  out[#out + 1] = grant(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], KEYS[1], KEYS[2], ARGV[i], ARGV[1], ARGV[2], ARGV[i + 1], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ledger)
end
flushLedger(ledger, KEYS[1], KEYS[2])
return out
