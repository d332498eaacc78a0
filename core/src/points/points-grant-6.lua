--[[
  Credits loyalty points once per grant id, within the viewer's per-stream cap, into a lot that
  expires at the end of a UTC day; drops lots already expired (the rules: points-grant.include.lua).
  Input:
    KEYS[1] the viewer's points (HASH l:<expiryDay>, g:<grantId>, s:<streamId>, _; see points.keys.ts)
    KEYS[2..4] the older layout's lots, grants, per-stream earnings of the viewer (folded into KEYS[1] once)
    KEYS[5] the brand's points ledger (HASH, see the include)  KEYS[6] the brand's holders (ZSET)
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
--! include points/points-layout.include.lua
--! include points/points-grant.include.lua
local spec = grantSpec(ARGV[1], ARGV[2], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return grant(spec, KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], ARGV[8], ARGV[3])
