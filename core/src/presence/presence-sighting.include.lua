--[[
  A viewer seen in a stream, included (`--! include presence/presence-sighting.include.lua`) by the scripts
  that record sightings (presence-touch-13.lua one at a time, presence-join-n.lua a moment's joins at once),
  so both record a sighting alike.
  recordSighting(seen, timeline, minutes, viewerId, nowMs, live, startedAt): the per-minute timeline counts
  the viewer's first sighting of the minute (seen only moves forward, so a skewed clock cannot recount), seen
  moves to nowMs, and in a live stream the viewer's bit for this minute is set in their minute bitmap (bit i =
  the i-th minute since the minute the stream started, startedAt; nowMs's minute when it is missing).
  Input:
    seen (ZSET viewerId -> last seen ms), timeline (HASH minute -> distinct viewers seen that minute),
    minutes (STRING bitmap): KEYS of the calling script, in the stream's slot
  Output:
    nothing (the writes above)
]]
local function recordSighting(seen, timeline, minutes, viewerId, nowMs, live, startedAt)
  local minute = math.floor(nowMs / 60000)
  local prev = redis.call('ZSCORE', seen, viewerId)
  if not prev or math.floor(tonumber(prev) / 60000) < minute then
    redis.call('HINCRBY', timeline, minute, 1)
  end
  redis.call('ZADD', seen, 'GT', nowMs, viewerId)
  if live then
    local startMinute = math.floor(tonumber(startedAt or nowMs) / 60000)
    if minute >= startMinute then redis.call('SETBIT', minutes, minute - startMinute, 1) end
  end
end
