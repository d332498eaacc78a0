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
--! include points/points-grant.include.lua
return grant(KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], ARGV[8], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
