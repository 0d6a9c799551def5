-- Sliding-window counter: how many events in the last window, counting
-- this one if under the limit.
-- KEYS[1]: the window (a sorted set of event ids scored by time)
-- ARGV: now (ms), window (ms), limit, event id
-- Returns {accepted (0/1), events in the window}.
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, n + 1}
end
return {0, n}
