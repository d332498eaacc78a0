--[[
  Claims one coupon of a drop: the stream is live, the drop open and inside its window, the viewer
  watched long enough, has claimed fewer than perViewer, and stock is left. Claiming the last coupon
  ends the drop (sold out). The code's record (what the order webhook reads) is written from the drop's
  own fields, so the caller needs nothing but the drop id, and the reply carries what the pushes need.

  Room-wide pushes (coupon:stock, and coupon:ended of a sell-out) go at most once per interval across nodes,
  on the interval's trailing edge: the first change takes the interval's token (KEYS[9], SET NX PX) without
  pushing, every change flags what is owed (KEYS[8]: '1' a stock count, 'ended' the sell-out), and the
  caller's node comes back when the token lapses (the reply's flushIn) to push what is owed then
  (coupon-stock-3). A drop that sells out inside one interval so sends the room one frame, coupon:ended,
  at most one interval late. A sell-out with no interval running (no push owed or made in the last
  interval) is pushed at once by the caller (soldOut 1).

  Idempotent per opId: a retry gets the answer the first attempt got. What is kept for that, and how long:
  - An answer that carries a code lives in the ops hash until a day after the drop ends (coupon-end-3 and
    the sold-out branch below set its expiry). A code is a committed effect: a viewer whose ack was lost
    must get the same code back however late the retry comes. Every code spends one unit of stock, so the
    hash holds at most `quantity` fields whatever callers send.
  - A refusal changed nothing, so answering a retry afresh would also be correct; it is kept only so that
    the SDK's automatic retry of a lost ack (after its 10 s ack timeout, or a reconnect) hears the same
    answer. It lives in a key of its own with a short PX expiry (ARGV[7]), never in the ops hash: refusals
    are unbounded in number (any opId, any rate), so what they leave must expire on its own.
  Order of checks: the op's replay comes first, before the event gate and every rule, so a retry of a
  claim that went through gets its code whatever changed since (sold out, closed, the viewer's limit
  reached by that very claim, the user's event rate). That is why this script counts the event gate
  itself (event-gate.include.lua, KEYS[15] / ARGV[8]) after the replay instead of running as a gated
  variant, whose prelude would count and refuse a replay as rate_limited before the script could see it.
  A replay (a code or a kept refusal) is answered uncounted: it changes nothing.

  A committed claim is written to the activity ledger (couponClaims, activity-ledger.include.lua) in this
  same step: the summary counts exactly the claims that committed, whatever happens to the caller after.
  Input:
    KEYS[1] stream meta (HASH status)
    KEYS[2] drop meta (HASH id, brandId, title, discountType, discountValue, status, endsAt, perViewer,
            minWatchSec, remaining, quantity)
    KEYS[3] drop claims (HASH viewerId -> count)
    KEYS[4] drop ops (HASH op field -> code)
    KEYS[5] stream codes (HASH code -> JSON record)
    KEYS[6] viewer activity (HASH watchMs ...)
    KEYS[7] open drops (ZSET)
    KEYS[8] what the room is owed at the interval's end (STRING '1' the stock count | 'ended' the sell-out; PX 60 s)
    KEYS[9] the push interval's token (STRING, PX)
    KEYS[10] this op's refusal (STRING refusal number, PX); untouched when ARGV[2] is ''
    KEYS[11] activity totals (HASH)  KEYS[12] activity timeline (HASH)  KEYS[13] activity dirty viewers (ZSET)
    KEYS[14] activity change sequence (STRING)
    KEYS[15] the user's event gate counter (STRING, see event-gate.include.lua)
    ARGV[1] viewerId  ARGV[2] op field ('' = none)  ARGV[3] a fresh random code  ARGV[4] nowMs  ARGV[5] streamId
    ARGV[6] stock push interval ms  ARGV[7] how long a refusal is kept for retries, ms
    ARGV[8] the user's events allowed per second (0 = no gate)
  The code is issued here, in the stream's slot, and put in the global code index (another slot) by the
  caller afterwards, before it tells the viewer (CouponCodeStore.index): a claim is one round trip, and a
  refused one, most of a flash sale's claims, reserves nothing anywhere. A code this stream issued
  already is never issued twice: the script answers { '', ... } with nothing changed but the event gate,
  and the caller calls again with another code (gate off).
  Output:
    { code, remaining, flushIn (ms until the caller's node pushes what is owed; 0: nothing to push later;
      -1: push the remaining count now, the interval before this one lapsed with a change still owed),
      soldOut (0 | 1 sold out now, push coupon:ended at once | 2 sold out now, coupon:ended owed to the flush),
      quantity, replay (1|0) }
    | { '', remaining, 0, 0, 0, 0 } (ARGV[3] is this stream's code already: nothing changed, call again with another)
    | { -2 sold out, the drop's quantity (every coupon claimed) }
    | { -1 closed | -3 already claimed perViewer | -5 no such drop | -6 stream not live, 0 }
    | { -4 not eligible (watch time), ms of watching still missing } | { -7 rate limited, ms to wait }
]]
--! include activity/activity-ledger.include.lua
--! include redis/scripts/event-gate.include.lua
local rcall = redis.call
local status = rcall('HGET', KEYS[2], 'status')
local remaining = tonumber(rcall('HGET', KEYS[2], 'remaining') or '0')
local minWatchMs = tonumber(rcall('HGET', KEYS[2], 'minWatchSec') or '0') * 1000
local watched = tonumber(rcall('HGET', KEYS[6], 'watchMs') or '0')
local op = ARGV[2]

-- a refusal's detail: what is missing for -4, the drop's quantity for -2 (all of it claimed: the sold_out
-- ack says what coupon:ended would, and the SDK tells its app that push itself), nothing for the others
local function refusal(n)
  if n == -4 then return { n, math.max(0, minWatchMs - watched) } end
  if n == -2 then return { n, tonumber(rcall('HGET', KEYS[2], 'quantity') or '0') } end
  return { n, 0 }
end

if op ~= '' then
  local before = rcall('HGET', KEYS[4], op) or rcall('GET', KEYS[10])
  if before then
    local n = tonumber(before)
    if n then return refusal(n) end
    return { before, remaining, 0, 0, tonumber(rcall('HGET', KEYS[2], 'quantity') or '0'), 1 }
  end
end

if tonumber(ARGV[8]) > 0 then
  local waitMs = countEvent(KEYS[15], ARGV[8])
  if waitMs then return { -7, waitMs } end
end
if not status then return { -5, 0 } end

local function refuse(n)
  if op ~= '' then rcall('SET', KEYS[10], n, 'PX', ARGV[7]) end
  return refusal(n)
end

local mine = tonumber(rcall('HGET', KEYS[3], ARGV[1]) or '0')
local perViewer = tonumber(rcall('HGET', KEYS[2], 'perViewer'))
if status ~= 'open' then
  if rcall('HGET', KEYS[2], 'endReason') ~= 'sold_out' then return refuse(-1) end
  if mine >= perViewer then return refuse(-3) end
  return refuse(-2)
end
if tonumber(ARGV[4]) >= tonumber(rcall('HGET', KEYS[2], 'endsAt')) then return refuse(-1) end
if rcall('HGET', KEYS[1], 'status') ~= 'live' then return refuse(-6) end
if watched < minWatchMs then return refuse(-4) end
if mine >= perViewer then return refuse(-3) end
if remaining <= 0 then return refuse(-2) end
-- Every rule passed, but the code is this stream's already (60 random bits: astronomically rare).
if rcall('HEXISTS', KEYS[5], ARGV[3]) == 1 then return { '', remaining, 0, 0, 0, 0 } end

remaining = rcall('HINCRBY', KEYS[2], 'remaining', -1)
rcall('HINCRBY', KEYS[3], ARGV[1], 1)
local d = rcall('HMGET', KEYS[2], 'id', 'brandId', 'title', 'discountType', 'discountValue')
rcall('HSET', KEYS[5], ARGV[3], cjson.encode({
  code = ARGV[3], streamId = ARGV[5], brandId = d[2], viewerId = ARGV[1], dropId = d[1], title = d[3],
  discount = { type = d[4], value = tonumber(d[5]) }, at = tonumber(ARGV[4]),
}))
-- written before the sold-out expiry below: an HSET that created the hash after PEXPIRE would outlive it
if op ~= '' then rcall('HSET', KEYS[4], op, ARGV[3]) end
recordActivity({ KEYS[6], KEYS[11], KEYS[12], KEYS[13], KEYS[14] }, ARGV[1], 'couponClaims', 1, ARGV[4], 0)
-- Room-wide pushes on the trailing edge of the interval (see the header): what is owed waits in KEYS[8].
-- What is owed lapses on its own: every node that claimed comes back within an interval (at most 1 s) to
-- push it, so a flag still there after a minute belongs to nodes that all died, and must not outlive the drop
local OWED_TTL_MS = 60000
local soldOut = 0
local flushIn = 0
if remaining == 0 then
  rcall('HSET', KEYS[2], 'status', 'ended', 'endReason', 'sold_out', 'endedAt', ARGV[4])
  rcall('ZREM', KEYS[7], rcall('HGET', KEYS[2], 'id'))
  rcall('PEXPIRE', KEYS[4], 86400000)
  -- coupon:ended says none is left, so no stock count is owed any more: the ended push replaces it
  local held = rcall('PTTL', KEYS[9])
  if held > 0 then
    rcall('SET', KEYS[8], 'ended', 'PX', OWED_TTL_MS)
    soldOut = 2
    flushIn = held
  else
    rcall('DEL', KEYS[8])
    soldOut = 1
  end
else
  local overdue = rcall('EXISTS', KEYS[8]) == 1
  rcall('SET', KEYS[8], '1', 'PX', OWED_TTL_MS)
  if rcall('SET', KEYS[9], '1', 'NX', 'PX', ARGV[6]) then
    if overdue then
      -- a change of the interval that just lapsed is still owed (its node's flush is on its way): this
      -- claim takes the new interval and pushes the count now, so no change waits two intervals
      rcall('DEL', KEYS[8])
      flushIn = -1
    else
      flushIn = tonumber(ARGV[6])
    end
  else
    flushIn = math.max(1, rcall('PTTL', KEYS[9]))
  end
end
return { ARGV[3], remaining, flushIn, soldOut, tonumber(rcall('HGET', KEYS[2], 'quantity')), 0 }
