#!/usr/bin/env python3
"""The real-world Lua scripts of testdata/scripts driven by redis-py
(Debian's python3-redis) with Script objects (EVALSHA, EVAL on NOSCRIPT),
from concurrent threads: each script's invariant must hold.

usage: realworld_scripts.py host port
"""
import os
import sys
import threading
import time

import redis

host, port = sys.argv[1], int(sys.argv[2])
r = redis.Redis(host=host, port=port, decode_responses=True)
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scripts")


def script(name):
    with open(os.path.join(here, name + ".lua")) as f:
        return r.register_script(f.read())


bucket = script("token_bucket")
move = script("queue_move")
ack = script("queue_ack")
release = script("lock_release")
window = script("sliding_window")


def check(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)


r.flushall()
now = 1_700_000_000_000

# Token bucket: capacity 10 at 2 tokens/s; 14 requests 100 ms apart.
res = [bucket(keys=["rl:u"], args=[10, 2, now + i * 100, 1]) for i in range(14)]
check([x[0] for x in res] == [1] * 12 + [0] * 2, "token bucket sequence %r" % res)
check(bucket(keys=["rl:u"], args=[10, 2, now + 5000, 3])[0] == 1, "refill after 5 s")

# Reliable queue: jobs move to processing with a timestamp, then are acked.
r.rpush("q:pending", "a", "b", "c")
taken = [move(keys=["q:pending", "q:proc", "q:since"], args=[now + i]) for i in range(4)]
check(taken == ["c", "b", "a", None], "queue move order %r" % taken)
check(r.zscore("q:since", "b") == now + 1, "processing timestamp")
check(ack(keys=["q:proc", "q:since"], args=["b"]) == 1, "ack b")
check(ack(keys=["q:proc", "q:since"], args=["zzz"]) == 0, "ack unknown")
check(sorted(r.lrange("q:proc", 0, -1)) == ["a", "c"], "processing list")

# Lock release: compare-and-delete.
r.set("lock:x", "t1")
check(release(keys=["lock:x"], args=["t2"]) == 0, "foreign release")
check(release(keys=["lock:x"], args=["t1"]) == 1, "owner release")
check(not r.exists("lock:x"), "lock freed")

# Sliding window: 5 per second.
acc = [window(keys=["sw:k"], args=[now + i * 150, 1000, 5, "e%d" % i])[0] for i in range(8)]
check(acc == [1, 1, 1, 1, 1, 0, 0, 1], "sliding window sequence %r" % acc)

# Errors from redis.call come back as ResponseError.
r.set("rl:str", "x")
try:
    bucket(keys=["rl:str"], args=[10, 2, now, 1])
    check(False, "WRONGTYPE expected")
except redis.exceptions.ResponseError as e:
    check("WRONGTYPE" in str(e), "error text %s" % e)

# Concurrency: a lock-guarded counter, a queue drained by 8 workers, and a
# burst against the limiter and the window.
r.flushall()
WORKERS, ROUNDS, JOBS = 8, 20, 300


def locker(w):
    token = "w%d" % w
    pool = redis.Redis(host=host, port=port, decode_responses=True)
    done = 0
    while done < ROUNDS:
        if not pool.set("lock:c", token, nx=True, px=5000):
            continue
        n = int(pool.get("counter") or 0)
        pool.set("counter", n + 1)
        assert release(keys=["lock:c"], args=[token], client=pool) == 1
        done += 1


for i in range(JOBS):
    r.lpush("q:pending", "job%d" % i)
seen, lock = [], threading.Lock()


def worker():
    pool = redis.Redis(host=host, port=port, decode_responses=True)
    while True:
        job = move(keys=["q:pending", "q:proc", "q:since"], args=[int(time.time() * 1000)], client=pool)
        if job is None:
            return
        with lock:
            seen.append(job)
        assert ack(keys=["q:proc", "q:since"], args=[job], client=pool) == 1


burst_now = int(time.time() * 1000)
allowed, accepted = [0], [0]


def burst(w):
    pool = redis.Redis(host=host, port=port, decode_responses=True)
    for i in range(10):
        a = bucket(keys=["rl:b"], args=[25, 1, burst_now, 1], client=pool)[0]
        b = window(keys=["sw:b"], args=[burst_now, 60000, 30, "w%d-%d" % (w, i)], client=pool)[0]
        with lock:
            allowed[0] += a
            accepted[0] += b


threads = [threading.Thread(target=locker, args=(w,)) for w in range(WORKERS)]
threads += [threading.Thread(target=worker) for _ in range(WORKERS)]
threads += [threading.Thread(target=burst, args=(w,)) for w in range(WORKERS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check(int(r.get("counter")) == WORKERS * ROUNDS, "locked counter %s" % r.get("counter"))
check(len(seen) == JOBS and len(set(seen)) == JOBS, "queue: %d taken, %d distinct" % (len(seen), len(set(seen))))
check(r.llen("q:proc") == 0 and r.zcard("q:since") == 0, "queue drained")
check(allowed[0] == 25 and accepted[0] == 30, "burst: %d allowed, %d accepted" % (allowed[0], accepted[0]))
print("real-world script checks passed")
