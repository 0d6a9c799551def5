-- Reliable queue: move the next job from the pending list to the
-- processing list and record when it was taken (a sorted set scored by
-- the timestamp), so a reaper can requeue jobs whose worker died.
-- KEYS: pending list, processing list, processing-since zset
-- ARGV: now (ms)
-- Returns the job, or false when the queue is empty.
local job = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
if not job then
  return false
end
redis.call('ZADD', KEYS[3], ARGV[1], job)
return job
