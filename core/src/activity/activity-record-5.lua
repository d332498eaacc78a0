--[[
  Records n units of one metric for a viewer in a stream, for activities that are not the change of a
  script of their own (likes flushed from the reaction buffer, an order's metrics): the write itself is
  activity-ledger.include.lua, which the scripts of claims, chat, entries, answers, questions, upvotes,
  clicks and watch time include so their record is atomic with their change.
  Input:
    KEYS[1] viewer activity (HASH metric -> count)
    KEYS[2] stream totals (HASH)
    KEYS[3] timeline (HASH '<metric>:<minute>' -> count)
    KEYS[4] dirty viewers (ZSET viewerId -> seq)
    KEYS[5] change sequence (STRING)
    ARGV[1] viewerId  ARGV[2] metric  ARGV[3] n  ARGV[4] nowMs  ARGV[5] per-viewer cap (0 = none)
  Output:
    what was credited to the viewer (n, less when the cap cut it)
]]
--! include activity/activity-ledger.include.lua
return recordActivity({ KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5] }, ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
