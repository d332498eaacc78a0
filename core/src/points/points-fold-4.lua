--[[
  Folds one viewer's points kept in the layout before (three hashes) into the one hash of today, adding up,
  and deletes the three (points-layout.include.lua). Run for every viewer the older layout left, once, by
  foldOlderPoints (points.service.ts); a second run finds nothing.
  Input:
    KEYS[1] the viewer's points (HASH, see points.keys.ts)
    KEYS[2..4] the older layout's lots, grants, per-stream earnings of the viewer
  Output:
    1 when something was folded, 0 when nothing was left
]]
--! include points/points-layout.include.lua
if foldOld(KEYS[1], KEYS[2], KEYS[3], KEYS[4]) then return 1 end
return 0
