--[[
  Merges one stream's absolute activity into each viewer's per-brand history and returns the merged
  histories. Counters in the ledger only grow, so a field-by-field maximum makes the merge idempotent and
  order-free: merging an entry twice, or an older read after a newer one, changes nothing. The version
  grows only when something changed, so a rating computed from version v is never stored over one
  computed from a later version (score-apply-9.lua).
  Input:
    KEYS[1] histories (HASH viewerId -> '<version>;<entry>;<entry>...', entries by start then stream id)
    ARGV[1..] pairs: viewerId, entry ('<streamId>,<startedAt>,<metric>,...')
  Output:
    the merged history of each viewer, in ARGV order
]]
local rcall = redis.call

local function split(s, sep)
  local t = {}
  for piece in string.gmatch(s, '([^' .. sep .. ']+)') do t[#t + 1] = piece end
  return t
end

local out = {}
for i = 1, #ARGV, 2 do
  local viewer, entry = ARGV[i], ARGV[i + 1]
  local incoming = split(entry, ',')
  local cur = rcall('HGET', KEYS[1], viewer)
  local result
  if not cur then
    result = '1;' .. entry
  else
    local parts = split(cur, ';')
    local changed, found = false, false
    for j = 2, #parts do
      local have = split(parts[j], ',')
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
  if result ~= cur then rcall('HSET', KEYS[1], viewer, result) end
  out[#out + 1] = result
end
return out
