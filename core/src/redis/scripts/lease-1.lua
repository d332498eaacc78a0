--[[
  A lease: one holder at a time (e.g. the deliverer of a quiz's or an answered question's rewards, so a
  grant and its push come from the same caller). A holder that dies loses the lease when it expires and
  a retry takes over.
  Input:
    KEYS[1] lease (STRING token, with a PX expiry)
    ARGV[1] acquire | renew | release  ARGV[2] token  ARGV[3] lease ms
  Output:
    1 held (acquired, renewed or released) | 0 someone else holds it (or it expired)
]]
local rcall = redis.call
local op = ARGV[1]
if op == 'acquire' then
  if rcall('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
  return 0
end
if rcall('GET', KEYS[1]) ~= ARGV[2] then return 0 end
if op == 'renew' then
  rcall('PEXPIRE', KEYS[1], ARGV[3])
else
  rcall('DEL', KEYS[1])
end
return 1
