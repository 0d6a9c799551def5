-- Acknowledge a job taken by queue_move.lua.
-- KEYS: processing list, processing-since zset; ARGV: the job
-- Returns 1 if the job was being processed, 0 otherwise.
local removed = redis.call('LREM', KEYS[1], 1, ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return removed
