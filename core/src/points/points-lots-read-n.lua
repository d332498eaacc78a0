--[[
  The points lots of many viewers of one brand in one call (the joins of one moment read their standing).
  Read only. All keys are in the brand's slot.
  Input:
    KEYS[1] .. KEYS[n] viewer 1 .. n's lots (HASH expiry day -> points)
  Output:
    { viewer i's lots as HGETALL answers them (field, value, ...) }
]]
local out = {}
for i = 1, #KEYS do out[i] = redis.call('HGETALL', KEYS[i]) end
return out
