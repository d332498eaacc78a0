--[[
  Stores the ratings computed from merged histories, unless a rating from a later history version is
  already there (two workers, or a retry, racing on the same viewer), then advances the stream's rollup
  cursor. Ratings are absolute, so applying a batch again changes nothing. The cursor moves only if it
  already reached where this batch started (ARGV[3]): a rollup sends its batches without waiting for each
  reply, and a batch stored after an earlier one failed must not move the cursor past that one.
  Input:
    KEYS[1] ratings (HASH viewerId -> '<version>;<score>;<asOf>;<tier>;<streams>')
    KEYS[2] board (ZSET viewerId -> board key)
    KEYS[3..6] tier boards new, casual, engaged, loyal (ZSET viewerId -> board key)
    KEYS[7] at-risk pool: members of the new, engaged and loyal tiers (ZSET viewerId -> board key)
    KEYS[8] asOf (ZSET viewerId -> start of the viewer's latest stream)
    KEYS[9] rollup cursors (HASH streamId -> change sequence)
    ARGV[1] streamId  ARGV[2] change sequence the batch reached
    ARGV[3] change sequence the batch started after (0: move the cursor whatever it is)
    ARGV[4..] groups of 7: viewerId, version, score, asOf, tier, streams, boardKey
  Output:
    how many ratings were written
]]
local rcall = redis.call
local tierKey = { new = KEYS[3], casual = KEYS[4], engaged = KEYS[5], loyal = KEYS[6] }
local pooled = { new = true, engaged = true, loyal = true }
local applied = 0
for i = 4, #ARGV, 7 do
  local viewer, version, score, asOf, tier, streams, key =
    ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local cur = rcall('HGET', KEYS[1], viewer)
  local curVersion, curTier = -1, nil
  if cur then
    curVersion = tonumber(string.match(cur, '^([^;]*)')) or -1
    curTier = string.match(cur, '^[^;]*;[^;]*;[^;]*;([^;]*)')
  end
  if tierKey[tier] and tonumber(version) >= curVersion then
    rcall('HSET', KEYS[1], viewer, version .. ';' .. score .. ';' .. asOf .. ';' .. tier .. ';' .. streams)
    rcall('ZADD', KEYS[2], key, viewer)
    if curTier and curTier ~= tier and tierKey[curTier] then rcall('ZREM', tierKey[curTier], viewer) end
    rcall('ZADD', tierKey[tier], key, viewer)
    if pooled[tier] then rcall('ZADD', KEYS[7], key, viewer) else rcall('ZREM', KEYS[7], viewer) end
    rcall('ZADD', KEYS[8], asOf, viewer)
    applied = applied + 1
  end
end
local reached = tonumber(rcall('HGET', KEYS[9], ARGV[1]) or '0')
if reached >= tonumber(ARGV[3]) and tonumber(ARGV[2]) > reached then rcall('HSET', KEYS[9], ARGV[1], ARGV[2]) end
return applied
