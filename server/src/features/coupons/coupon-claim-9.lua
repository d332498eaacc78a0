--[[
  Claims one coupon of a drop: the stream is live, the drop open and inside its window, the viewer
  watched long enough, has claimed fewer than perViewer, and stock is left. Idempotent per opId: a
  retry gets the answer the first attempt got. Claiming the last coupon ends the drop (sold out).
  Stock pushes: at most one per interval across nodes (SET NX PX token); a change that could not be
  pushed stays flagged and goes with the next push (coupon-stock-3).
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] drop meta (HASH status, endsAt, perViewer, minWatchSec, remaining, quantity)
    KEYS[3] drop claims (HASH viewerId -> count)
    KEYS[4] drop ops (HASH `<viewerId>:<opId>` -> answer)
    KEYS[5] stream codes (HASH code -> JSON record)
    KEYS[6] viewer activity (HASH watchMs ...)
    KEYS[7] open drops (ZSET)
    KEYS[8] stock pending flag (STRING)
    KEYS[9] stock push token (STRING)
    ARGV[1] viewerId  ARGV[2] op field ('' = none)  ARGV[3] code  ARGV[4] nowMs  ARGV[5] record JSON
    ARGV[6] stock push interval ms
  Output:
    { answer, remaining, pushStock (1|0), soldOutNow (1|0), watchedMs }
    answer: the code | -1 closed | -2 sold out | -3 already claimed perViewer | -4 not eligible (watch time)
            | -5 no such drop | -6 stream not live
]]
local rcall = redis.call
local status = rcall('HGET', KEYS[2], 'status')
if not status then return { -5, 0, 0, 0, 0 } end
local remaining = tonumber(rcall('HGET', KEYS[2], 'remaining'))
local watched = tonumber(rcall('HGET', KEYS[6], 'watchMs') or '0')

if ARGV[2] ~= '' then
  local before = rcall('HGET', KEYS[4], ARGV[2])
  if before then
    local n = tonumber(before)
    return { n or before, remaining, 0, 0, watched }
  end
end

local function answer(a, push, soldOut)
  if ARGV[2] ~= '' then rcall('HSET', KEYS[4], ARGV[2], a) end
  return { a, remaining, push, soldOut, watched }
end

local mine = tonumber(rcall('HGET', KEYS[3], ARGV[1]) or '0')
local perViewer = tonumber(rcall('HGET', KEYS[2], 'perViewer'))
if status ~= 'open' then
  if rcall('HGET', KEYS[2], 'endReason') ~= 'sold_out' then return answer(-1, 0, 0) end
  if mine >= perViewer then return answer(-3, 0, 0) end
  return answer(-2, 0, 0)
end
if tonumber(ARGV[4]) >= tonumber(rcall('HGET', KEYS[2], 'endsAt')) then return answer(-1, 0, 0) end
if rcall('HGET', KEYS[1], 'status') ~= 'live' then return answer(-6, 0, 0) end
local minWatchMs = tonumber(rcall('HGET', KEYS[2], 'minWatchSec') or '0') * 1000
if watched < minWatchMs then return answer(-4, 0, 0) end
if mine >= perViewer then return answer(-3, 0, 0) end
if remaining <= 0 then return answer(-2, 0, 0) end

remaining = rcall('HINCRBY', KEYS[2], 'remaining', -1)
rcall('HINCRBY', KEYS[3], ARGV[1], 1)
rcall('HSET', KEYS[5], ARGV[3], ARGV[5])
local soldOut = 0
if remaining == 0 then
  rcall('HSET', KEYS[2], 'status', 'ended', 'endReason', 'sold_out', 'endedAt', ARGV[4])
  rcall('ZREM', KEYS[7], rcall('HGET', KEYS[2], 'id'))
  rcall('PEXPIRE', KEYS[4], 86400000)
  soldOut = 1
end
rcall('SET', KEYS[8], '1')
local push = 0
if rcall('SET', KEYS[9], '1', 'NX', 'PX', ARGV[6]) then
  rcall('DEL', KEYS[8])
  push = 1
end
return answer(ARGV[3], push, soldOut)
