"""WATCH-based optimistic locking with redis-py: python3 watch_lock.py HOST PORT.

Written for Debian's python3-redis (redis-py 4.x). THREADS threads each add
INCREMENTS to a counter with the check-and-set loop of
https://redis.io/docs/interact/transactions/ ("Optimistic locking using
check-and-set"): WATCH, GET, MULTI, SET, EXEC, retrying on WatchError. Then
they move amounts between two accounts with redis-py's transaction()
helper while readers check with MGET that the total never changes.
Every assertion failure exits non-zero; success prints
"watch lock checks passed".
"""
import sys
import threading

import redis

THREADS = 8
INCREMENTS = 100
TRANSFERS = 100


def increment(pool, key, n, retries, errors):
    r = redis.Redis(connection_pool=pool)
    try:
        for _ in range(n):
            with r.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(key)
                        value = int(pipe.get(key) or 0)
                        pipe.multi()
                        pipe.set(key, value + 1)
                        pipe.execute()
                        break
                    except redis.WatchError:
                        retries.append(1)
    except Exception as e:  # reported by the main thread
        errors.append(repr(e))


def transfer(pool, a, b, n, errors):
    r = redis.Redis(connection_pool=pool)

    def move(pipe):
        x = int(pipe.get(a))
        pipe.multi()
        pipe.set(a, x - 3)
        pipe.incrby(b, 3)

    try:
        for _ in range(n):
            r.transaction(move, a, b)
    except Exception as e:
        errors.append(repr(e))


def check_sum(pool, a, b, total, stop, errors):
    r = redis.Redis(connection_pool=pool)
    try:
        while not stop.is_set():
            x, y = r.mget(a, b)
            if int(x) + int(y) != total:
                errors.append("MGET saw %s + %s != %d" % (x, y, total))
                return
    except Exception as e:
        errors.append(repr(e))


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    pool = redis.ConnectionPool(host=host, port=port, socket_timeout=30, max_connections=THREADS + 4)
    r = redis.Redis(connection_pool=pool)
    r.delete("wl:counter")

    retries, errors = [], []
    threads = [threading.Thread(target=increment, args=(pool, "wl:counter", INCREMENTS, retries, errors))
               for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    got = int(r.get("wl:counter"))
    assert got == THREADS * INCREMENTS, "counter is %d, want %d" % (got, THREADS * INCREMENTS)
    print("counter %d after %d WATCH conflicts" % (got, len(retries)))

    # A WATCHed key that does not exist yet, then is created by another client.
    r.delete("wl:new")
    with r.pipeline() as pipe:
        pipe.watch("wl:new")
        r.set("wl:new", "1")
        pipe.multi()
        pipe.set("wl:new", "2")
        try:
            pipe.execute()
            raise AssertionError("EXEC ran although the watched key was created")
        except redis.WatchError:
            pass
    assert r.get("wl:new") == b"1"

    r.mset({"wl:a": 1000, "wl:b": 1000})
    stop = threading.Event()
    checkers = [threading.Thread(target=check_sum, args=(pool, "wl:a", "wl:b", 2000, stop, errors))
                for _ in range(2)]
    movers = [threading.Thread(target=transfer, args=(pool, "wl:a", "wl:b", TRANSFERS, errors))
              for _ in range(THREADS - 2)]
    for t in checkers + movers:
        t.start()
    for t in movers:
        t.join()
    stop.set()
    for t in checkers:
        t.join()
    assert not errors, errors
    a, b = int(r.get("wl:a")), int(r.get("wl:b"))
    moved = 3 * TRANSFERS * (THREADS - 2)
    assert (a, b) == (1000 - moved, 1000 + moved), (a, b)
    print("watch lock checks passed")


if __name__ == "__main__":
    main()
