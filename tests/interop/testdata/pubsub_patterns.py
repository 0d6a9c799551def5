"""redis-py Pub/Sub against a Cinnabar server: python3 pubsub_patterns.py HOST PORT.

Written for Debian's python3-redis (redis-py 4.x). Exercises what
applications do with Pub/Sub through redis-py's PubSub object: channel and
pattern subscriptions with handlers and get_message polling, PUBSUB
introspection, a pubsub worker thread, keyspace notifications, and the
clean-up when a subscriber goes away. Prints "redis-py pubsub checks
passed" on success; a failed assertion exits non-zero with a traceback.
"""
import sys
import threading
import time

import redis


def wait_message(p, timeout=5.0):
    """The next data message (subscription confirmations are skipped)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = p.get_message(ignore_subscribe_messages=True, timeout=0.1)
        if m is not None:
            return m
    raise AssertionError("no message within %.1fs" % timeout)


def wait_until(cond, what, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.01)
    raise AssertionError("timed out waiting for " + what)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    r = redis.Redis(host=host, port=port, socket_timeout=10, decode_responses=True)

    # Channels and patterns on one PubSub object.
    p = r.pubsub()
    p.subscribe("news.tech", "news.sport")
    p.psubscribe("news.*", "weather.?")
    # Confirmations arrive in order with their counts.
    confirms = [p.get_message(timeout=2) for _ in range(4)]
    assert [(c["type"], c["channel"], c["data"]) for c in confirms] == [
        ("subscribe", "news.tech", 1),
        ("subscribe", "news.sport", 2),
        ("psubscribe", "news.*", 3),
        ("psubscribe", "weather.?", 4),
    ], confirms

    assert r.publish("news.tech", "go 1.26") == 2  # channel + pattern
    m1, m2 = wait_message(p), wait_message(p)
    assert m1 == {"type": "message", "pattern": None, "channel": "news.tech", "data": "go 1.26"}, m1
    assert m2 == {"type": "pmessage", "pattern": "news.*", "channel": "news.tech", "data": "go 1.26"}, m2
    assert r.publish("weather.x", "rain") == 1
    assert wait_message(p)["pattern"] == "weather.?"
    assert r.publish("weather.xy", "none") == 0

    # Introspection.
    assert sorted(r.pubsub_channels()) == ["news.sport", "news.tech"]
    assert r.pubsub_channels("*tech") == ["news.tech"]
    assert r.pubsub_numsub("news.tech", "nope") == [("news.tech", 1), ("nope", 0)]
    assert r.pubsub_numpat() == 2

    # Handlers and a worker thread.
    got = []
    done = threading.Event()

    def handler(msg):
        got.append((msg["channel"], msg["data"]))
        if msg["data"] == "last":
            done.set()

    h = r.pubsub(ignore_subscribe_messages=True)
    h.psubscribe(**{"jobs.*": handler})
    worker = h.run_in_thread(sleep_time=0.01, daemon=True)
    wait_until(lambda: r.pubsub_numpat() == 3, "the worker's subscription")
    for i in range(50):
        r.publish("jobs.%d" % (i % 3), str(i))
    r.publish("jobs.end", "last")
    assert done.wait(5), got
    assert got == [("jobs.%d" % (i % 3), str(i)) for i in range(50)] + [("jobs.end", "last")], got
    worker.stop()
    worker.join(5)
    h.close()

    # Unsubscribing from everything.
    p.unsubscribe()
    p.punsubscribe()
    wait_until(lambda: r.pubsub_numpat() == 0 and r.pubsub_channels() == [], "unsubscription")
    assert r.publish("news.tech", "x") == 0
    p.close()

    # Keyspace notifications.
    r.config_set("notify-keyspace-events", "KEA")
    try:
        k = r.pubsub(ignore_subscribe_messages=True)
        k.psubscribe("__keyspace@0__:py:*")
        k.subscribe("__keyevent@0__:del")
        wait_until(lambda: r.pubsub_numpat() == 1, "keyspace subscription")
        r.set("py:k", "v")
        r.lpush("py:l", "a")
        r.delete("py:k")
        events = [wait_message(k) for _ in range(4)]
        assert [(e["channel"], e["data"]) for e in events] == [
            ("__keyspace@0__:py:k", "set"),
            ("__keyspace@0__:py:l", "lpush"),
            ("__keyspace@0__:py:k", "del"),
            ("__keyevent@0__:del", "py:k"),
        ], events
        k.close()
    finally:
        r.config_set("notify-keyspace-events", "")

    # A subscriber that disconnects leaves nothing behind.
    gone = redis.Redis(host=host, port=port, socket_timeout=10).pubsub()
    gone.subscribe("ephemeral")
    gone.get_message(timeout=2)
    assert r.pubsub_numsub("ephemeral") == [("ephemeral", 1)]
    gone.close()
    wait_until(lambda: r.pubsub_numsub("ephemeral") == [("ephemeral", 0)], "disconnect clean-up")

    print("redis-py pubsub checks passed")


if __name__ == "__main__":
    main()
