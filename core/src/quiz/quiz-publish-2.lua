--[[
  Publishes a closed quiz's result, once: the first delivery of its outbox entry stores the result it
  built; every later delivery (a retry, the sweep after a crash) answers the stored one, so all of them
  push the same result. The stream's last result (what a `room:join` ack carries) is the standing result
  with the latest close, so a late first delivery of an older quiz does not replace a newer one.
  Input:
    KEYS[1] quiz (HASH, field result)
    KEYS[2] the stream's last quiz result (STRING: QuizResult JSON)
    ARGV[1] the result built by this caller (QuizResult JSON)
  Output:
    { 1 if this call stored the result else 0, the result that stands (QuizResult JSON) }
]]
local rcall = redis.call
local stored = 1
local result = ARGV[1]
if rcall('HSETNX', KEYS[1], 'result', result) == 0 then
  stored = 0
  result = rcall('HGET', KEYS[1], 'result')
end
local last = rcall('GET', KEYS[2])
if last ~= result then
  local closedAt = tonumber(cjson.decode(result).closedAt) or 0
  if not last or (tonumber(cjson.decode(last).closedAt) or 0) <= closedAt then rcall('SET', KEYS[2], result) end
end
return { stored, result }
