--[[
  Reads many viewers' whole activity hashes of one stream in one call (the summary's batch of 500 viewers,
  instead of one HGETALL command each), one string per viewer: what HGETALL answers, joined by ','. Ledger
  fields and values never hold a ','. Cheaper in Redis than an HMGET of every field the ledger may write
  (a viewer's hash holds a few of them), and it keeps whatever the hash holds, as HGETALL did.
  Input:
    KEYS[1], KEYS[2], ... activity hashes (HASH metric -> count, firstAt, lastAt) of the viewers, all in the stream's slot
  Output:
    one string per viewer, in KEYS order: field,value,field,value,... ('' for a viewer without a hash)
]]
local out = {}
for i = 1, #KEYS do
  out[i] = table.concat(redis.call('HGETALL', KEYS[i]), ',')
end
return out
