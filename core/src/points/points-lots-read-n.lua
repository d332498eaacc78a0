--[[
  The points lots of many viewers of one brand in one call (the joins of one moment read their standing, a
  balance reads one). Read only; all keys are in the brand's slot.
  Input:
    KEYS[1] the first viewer's points (HASH: l:<expiry day> -> points, and the grants' fields, see points.keys.ts)
    KEYS[2] the first viewer's lots in the layout before (HASH expiry day -> points; gone once folded in)
    KEYS[3], KEYS[4] the second viewer's; ... (KEYS[2i-1], KEYS[2i]: viewer i's)
  Output:
    { viewer i's lots: expiry day, points, ... (a day in both keys: the two added up) }
]]
local out = {}
for i = 1, #KEYS, 2 do
  local flat = redis.call('HGETALL', KEYS[i])
  local lots, days = {}, {}
  for j = 1, #flat, 2 do
    local f = flat[j]
    if string.byte(f, 1) == 108 and string.byte(f, 2) == 58 then -- 'l:'
      local day = string.sub(f, 3)
      days[#days + 1] = day
      lots[day] = tonumber(flat[j + 1]) or 0
    end
  end
  local old = redis.call('HGETALL', KEYS[i + 1])
  for j = 1, #old, 2 do
    local day = old[j]
    if lots[day] == nil then
      days[#days + 1] = day
      lots[day] = 0
    end
    lots[day] = lots[day] + (tonumber(old[j + 1]) or 0)
  end
  local reply = {}
  for _, day in ipairs(days) do
    reply[#reply + 1] = day
    reply[#reply + 1] = tostring(lots[day])
  end
  out[#out + 1] = reply
end
return out
