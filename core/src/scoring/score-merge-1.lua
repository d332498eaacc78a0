--[[
  Merges one stream's absolute activity into each viewer's per-brand history and returns the merged
  histories. Counters in the ledger only grow, so a field-by-field maximum makes the merge idempotent and
  order-free: merging an entry twice, or an older read after a newer one, changes nothing. The version
  grows only when something changed, so a rating computed from version v is never stored over one
  computed from a later version (score-apply-9.lua).
  The histories are read with one HMGET and the changed ones written with one HSET per 1,000 viewers (a
  rollup batch is hundreds of viewers: one call each would cost more than the merge itself); a viewer given
  twice merges into what the first pair gave, as if the pairs came one call at a time.
  Input:
    KEYS[1] histories (HASH viewerId -> '<version>;<entry>;<entry>...', entries by start then stream id)
    ARGV[1..] pairs: viewerId, entry ('<streamId>,<startedAt>,<metric>,...')
  Output:
    the merged history of each viewer, in ARGV order
]]
local rcall = redis.call
local CHUNK = 1000 -- arguments per HMGET / HSET (unpack has a stack limit)

local function split(s, pattern)
  local t = {}
  for piece in string.gmatch(s, pattern) do t[#t + 1] = piece end
  return t
end
local ENTRIES, FIELDS = '[^;]+', '[^,]+'

local n = #ARGV / 2
local stored = {}
for from = 1, n, CHUNK do
  local ids = {}
  for i = from, math.min(n, from + CHUNK - 1) do ids[#ids + 1] = ARGV[2 * i - 1] end
  local got = rcall('HMGET', KEYS[1], unpack(ids))
  for j = 1, #ids do stored[from + j - 1] = got[j] end
end

local latest = {} -- viewerId -> history after this call's pairs so far
local out, writes = {}, {}
for i = 1, n do
  local viewer, entry = ARGV[2 * i - 1], ARGV[2 * i]
  local cur = latest[viewer]
  if cur == nil then cur = stored[i] or nil end
  local result
  if not cur then
    result = '1;' .. entry
  else
    local incoming = split(entry, FIELDS)
    local parts = split(cur, ENTRIES)
    local changed, found = false, false
    for j = 2, #parts do
      local have = split(parts[j], FIELDS)
      if have[1] == incoming[1] then
        found = true
        for k = 2, math.max(#have, #incoming) do
          local x, y = tonumber(have[k] or '0'), tonumber(incoming[k] or '0')
          if y > x then
            have[k] = incoming[k]
            changed = true
          elseif have[k] == nil then
            have[k] = '0'
          end
        end
        parts[j] = table.concat(have, ',')
        break
      end
    end
    if not found then
      -- keep entries ordered by (start, stream id): the same history is the same string however it arrived
      local at, pos = tonumber(incoming[2]), #parts + 1
      for j = 2, #parts do
        local sid, t = string.match(parts[j], '^([^,]*),([^,]*)')
        t = tonumber(t)
        if t > at or (t == at and sid > incoming[1]) then
          pos = j
          break
        end
      end
      table.insert(parts, pos, entry)
      changed = true
    end
    if changed then parts[1] = tostring(tonumber(parts[1]) + 1) end
    result = table.concat(parts, ';')
  end
  if result ~= cur then
    writes[#writes + 1] = viewer
    writes[#writes + 1] = result
  end
  latest[viewer] = result
  out[i] = result
end
for from = 1, #writes, CHUNK do
  rcall('HSET', KEYS[1], unpack(writes, from, math.min(#writes, from + CHUNK - 1)))
end
return out
