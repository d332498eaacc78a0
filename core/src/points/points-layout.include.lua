--[[
  A viewer's points as one hash (points.keys.ts, pointsKeys): `l:<day>` lots, `g:<grantId>` grants,
  `s:<streamId>` per-stream earnings, `_` = 1 once the older layout was looked for. Included
  (`--! include points/points-layout.include.lua`) by every script that changes a viewer's points.
  foldOld(points, oldLots, oldGrants, oldStreams) moves what the layout before (three hashes per viewer) still
  holds into the hash, adding to what is there (each of them only ever adds up: points in a lot, points a
  grant credited, points earned in a stream), deletes the three, and marks the hash with `_`. A script calls
  it when its read of the hash found no `_` (the viewer's first change since the layout changed, or a new
  viewer: one EXISTS), so a hash marked is never looked at again for the old keys.
  Input:
    pointsKey: the viewer's points (HASH); oldLots, oldGrants, oldStreams: the older layout's three hashes of
    the viewer; all KEYS of the calling script, in the brand's slot
  Output:
    true when something was folded (the caller reads the hash again)
]]
local OLD_PREFIXES = { 'l:', 'g:', 's:' }
local function foldOld(pointsKey, oldLots, oldGrants, oldStreams)
  if redis.call('EXISTS', oldLots, oldGrants, oldStreams) == 0 then return false end
  local olds = { oldLots, oldGrants, oldStreams }
  for j = 1, 3 do
    local flat = redis.call('HGETALL', olds[j])
    for i = 1, #flat, 2 do redis.call('HINCRBY', pointsKey, OLD_PREFIXES[j] .. flat[i], flat[i + 1]) end
  end
  redis.call('DEL', oldLots, oldGrants, oldStreams)
  redis.call('HSET', pointsKey, '_', '1')
  return true
end
