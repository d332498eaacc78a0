--[[
  The same grant (one grant id, mode, stream, cap and expiry) for many viewers of one brand at once: a
  rollup batch's watch-point top-ups in one call instead of one per viewer (the rules: points-grant.include.lua).
  Input:
    KEYS[1], KEYS[2], KEYS[3] lots, grants, per-stream earnings (HASH) of the first viewer; KEYS[4..6] of the
      second; ... (three per viewer, all in the brand's slot)
    ARGV[1] grantId  ARGV[2] mode (add | topup)  ARGV[3] streamId ('' = not capped per stream)
    ARGV[4] per-stream cap  ARGV[5] nowMs  ARGV[6] days until expiry
    ARGV[7..] points, one per viewer, in KEYS order
  Output:
    points credited to each viewer by this call, in KEYS order
]]
--! include points/points-grant.include.lua
local out = {}
for i = 7, #ARGV do
  local k = (i - 7) * 3
  out[#out + 1] = grant(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], ARGV[1], ARGV[2], ARGV[i], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
end
return out
