-- ratespec: charge one bucket's windows all-or-nothing (see runtime/src/redis/script.rs).
--
-- KEYS[i]    the counter of window i, named by the client from its clock
-- ARGV[3i-2] the units charged to window i (windows counting calls of an endpoint that
--            counts recipients are charged one per request)
-- ARGV[3i-1] window i's limit
-- ARGV[3i]   window i's key TTL in milliseconds (the window's end + a margin)
--
-- Reply: {1, count_1, ..., count_n} after charging every window, or
--        {0, count_1, ..., count_n} with nothing charged when a window would overflow.
-- Deterministic: no TIME, no randomness; the client decides which windows are current.
local reply = {1}
for i = 1, #KEYS do
  local count = tonumber(redis.call('GET', KEYS[i]) or '0')
  reply[i + 1] = count
  if count + tonumber(ARGV[3 * i - 2]) > tonumber(ARGV[3 * i - 1]) then
    reply[1] = 0
  end
end
if reply[1] == 1 then
  for i = 1, #KEYS do
    local cost = tonumber(ARGV[3 * i - 2])
    local count = redis.call('INCRBY', KEYS[i], cost)
    reply[i + 1] = count
    if count == cost then
      redis.call('PEXPIRE', KEYS[i], ARGV[3 * i])
    end
  end
end
return reply
