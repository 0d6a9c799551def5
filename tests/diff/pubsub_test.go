package diff

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of Pub/Sub and keyspace notifications (Redis's
// pubsub.c, notify.c; Cinnabar's internal/pubsub and
// internal/command/pubsub.go, notify.go). Several clients run on each
// server; every reply and every message a subscriber receives is compared
// byte for byte, in order.
//
// What Redis leaves unspecified is normalised: the order of the
// confirmations of an "unsubscribe from all" (Redis walks a dict) and of
// the pmessages one publication makes for several patterns of one client;
// such reads are marked "~" and compare the frames as a sorted multiset
// and, separately, the sequence of counts the confirmations carry.
//
// Script lines (one action each; '#' starts a comment):
//
//	c CMD args...    client c sends CMD; one reply is read from it
//	c:N CMD args...  ... and N frames are read (SUBSCRIBE a b: 2)
//	c? CMD args...   the replies are read but not compared (HELLO: ids)
//	c <N             N more frames (messages) are read from client c
//	c ~<N            the same, compared as a multiset
//	c~:N CMD ...     a command whose N frames compare as a multiset
//	c <<             read c's frames up to the sync message: "sync"
//	                 publishes on channel __sync__, which c must listen to
//	sleep MS         wait (for key expiry)
//
// A token in double quotes is unquoted as a Go string.

type psDuo struct {
	h       *Harness
	clients map[string][2]*Peer
}

func (d *psDuo) client(t *testing.T, name string) [2]*Peer {
	c, ok := d.clients[name]
	if !ok {
		c = [2]*Peer{Dial(t, d.h.Redis.Addr), Dial(t, d.h.Cinnabar.Addr)}
		d.clients[name] = c
	}
	return c
}

// read reads n frames from both peers of a client.
func psRead(t *testing.T, c [2]*Peer, n int) (redis, cinnabar [][]byte) {
	t.Helper()
	for i, p := range c {
		_ = p.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		for range n {
			f, err := ReadReply(p.R)
			if err != nil {
				t.Fatalf("%s: read: %v (frames so far %q)", p.Addr, err, redis)
			}
			if i == 0 {
				redis = append(redis, f)
			} else {
				cinnabar = append(cinnabar, f)
			}
		}
	}
	return redis, cinnabar
}

// psNormalize sorts frames and pulls out the counts of confirmations
// (a frame ending in an integer) as a separate ordered list.
func psNormalize(frames [][]byte) string {
	var rest []string
	var counts []string
	for _, f := range frames {
		if i := bytes.LastIndex(f, []byte("\r\n:")); i >= 0 && bytes.HasSuffix(f, []byte("\r\n")) && f[0] != ':' {
			counts = append(counts, string(f[i+2:]))
			f = f[:i+2]
		}
		rest = append(rest, string(f))
	}
	slices.Sort(rest)
	return strings.Join(rest, "") + " counts " + strings.Join(counts, "")
}

func psTokens(t *testing.T, line string) []string {
	var out []string
	for _, f := range strings.Fields(line) {
		if strings.HasPrefix(f, `"`) {
			u, err := strconv.Unquote(f)
			if err != nil {
				t.Fatalf("bad token %s: %v", f, err)
			}
			f = u
		}
		out = append(out, f)
	}
	return out
}

func (d *psDuo) run(t *testing.T, script string) {
	t.Helper()
	for ln, line := range strings.Split(script, "\n") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		tok := psTokens(t, line)
		if len(tok) == 0 {
			continue
		}
		where := "line " + strconv.Itoa(ln+1) + ": " + strings.TrimSpace(line)
		if tok[0] == "sleep" {
			ms, _ := strconv.Atoi(tok[1])
			time.Sleep(time.Duration(ms) * time.Millisecond)
			continue
		}
		head := tok[0]
		unordered, noCompare := false, false
		if strings.HasSuffix(head, "?") {
			head, noCompare = strings.TrimSuffix(head, "?"), true
		}
		name, nStr, _ := strings.Cut(head, ":")
		if len(tok) == 2 && strings.HasPrefix(tok[1], "~<") {
			unordered = true
			tok[1] = strings.TrimPrefix(tok[1], "~")
		}
		if strings.HasSuffix(name, "~") {
			name, unordered = strings.TrimSuffix(name, "~"), true
		}
		c := d.client(t, name)
		var want, got [][]byte
		switch {
		case len(tok) == 2 && tok[1] == "<<":
			want, got = d.readToSync(t, c)
		case len(tok) == 2 && strings.HasPrefix(tok[1], "<"):
			n, err := strconv.Atoi(tok[1][1:])
			if err != nil {
				t.Fatalf("%s: bad count", where)
			}
			want, got = psRead(t, c, n)
		default:
			n := 1
			if nStr != "" {
				n, _ = strconv.Atoi(nStr)
			}
			raw := Encode(nil, tok[1:]...)
			for _, p := range c {
				_ = p.Conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
				if _, err := p.Conn.Write(raw); err != nil {
					t.Fatalf("%s: %s: write: %v", where, p.Addr, err)
				}
			}
			want, got = psRead(t, c, n)
		}
		if noCompare {
			continue
		}
		if unordered {
			if w, g := psNormalize(want), psNormalize(got); w != g {
				t.Errorf("%s (unordered):\n redis:    %q\n cinnabar: %q", where, want, got)
			}
			continue
		}
		if !slices.EqualFunc(want, got, bytes.Equal) {
			t.Errorf("%s:\n redis:    %q\n cinnabar: %q", where, want, got)
		}
	}
}

// readToSync publishes a sync message from a separate connection and
// reads c's frames up to and including it.
func (d *psDuo) readToSync(t *testing.T, c [2]*Peer) (redis, cinnabar [][]byte) {
	t.Helper()
	ctl := d.client(t, "__ctl")
	raw := Encode(nil, "PUBLISH", "__sync__", "sync")
	for i, p := range c {
		ctl[i].Send(t, raw, 1)
		_ = p.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var frames [][]byte
		for {
			f, err := ReadReply(p.R)
			if err != nil {
				t.Fatalf("%s: read to sync: %v (frames %q)", p.Addr, err, frames)
			}
			frames = append(frames, f)
			if bytes.Contains(f, []byte("$8\r\n__sync__\r\n$4\r\nsync\r\n")) {
				break
			}
			if len(frames) > 1000 {
				t.Fatalf("%s: no sync message", p.Addr)
			}
		}
		if i == 0 {
			redis = frames
		} else {
			cinnabar = frames
		}
	}
	return redis, cinnabar
}

func psStart(t *testing.T) *psDuo {
	h := Start(t)
	return &psDuo{h: h, clients: map[string][2]*Peer{}}
}

// TestPubSubFixed: channels, patterns, shard channels, counts,
// introspection and errors in RESP2 and RESP3 (unit/pubsub.tcl cases and
// more).
func TestPubSubFixed(t *testing.T) {
	d := psStart(t)
	d.run(t, `
s1:3 SUBSCRIBE chan1 chan2 chan1
p PUBLISH chan1 hello
p PUBLISH chan2 world
p PUBLISH chan3 nobody
s1 <2
s1:2 UNSUBSCRIBE chan1 foo
p PUBLISH chan1 hello
s1:2 UNSUBSCRIBE nope chan2
s1:3 UNSUBSCRIBE foo bar quux
s1 UNSUBSCRIBE
s1 PUNSUBSCRIBE
s1 SUNSUBSCRIBE
s1 PING

# patterns
s2:2 PSUBSCRIBE foo.* bar.*
p PUBLISH foo.1 hello
p PUBLISH bar.1 hello
p PUBLISH foo1 hello
p PUBLISH barfoo.1 hello
s2 <2
s2 PUNSUBSCRIBE foo.*
p PUBLISH foo.1 hello
s2:3 PSUBSCRIBE "f[o]o.b?r" *.bar "\\*"
s2 SUBSCRIBE foo.bar
p PUBLISH foo.bar m
s2 ~<3                       # message + 2 pmessages, pattern order is Redis's dict's
p PUBLISH * star
s2 <1
p PUBSUB NUMPAT
p PUBSUB NUMSUB foo.bar nope
p PUBSUB NUMSUB
p PUBSUB CHANNELS
p PUBSUB CHANNELS *bar
p PUBSUB CHANNELS nomatch
s2~:4 PUNSUBSCRIBE
s2 UNSUBSCRIBE
p PUBSUB NUMPAT

# two subscribers, binary channels and payloads
a:1 SUBSCRIBE "a\x00\r\nb"
b:1 SUBSCRIBE "a\x00\r\nb"
p PUBLISH "a\x00\r\nb" "\x00\xff\r\n"
a <1
b <1
p PUBLISH "a\x00\r\nb" ""
a <1
b <1

# shard channels
s3:2 SSUBSCRIBE s1 s2
s3 PSUBSCRIBE s*
p SPUBLISH s1 m
s3 <1
p PUBLISH s1 g
s3 <1
p PUBSUB SHARDNUMSUB s1 s2 s3
p PUBSUB SHARDNUMSUB
p PUBSUB SHARDCHANNELS s1
p PUBSUB NUMSUB s1
s3 SUNSUBSCRIBE s2
s3 SUNSUBSCRIBE
s3 PUNSUBSCRIBE
p SPUBLISH s1 m

# errors
p PUBSUB channels a b
p PUBSUB shardchannels a b
p PUBSUB NUMPAT x
p PUBSUB foo
p PUBSUB
p PUBLISH a
p SPUBLISH a
p SUBSCRIBE
p PSUBSCRIBE
p SSUBSCRIBE
p PUBSUB HELP
p PUBSUB help

# transactions
m MULTI
m SUBSCRIBE x
m PUBLISH x hi
m:2 EXEC                     # the message push sits inside EXEC's array
m UNSUBSCRIBE
m MULTI
m SSUBSCRIBE x
m EXEC
m MULTI
m PSUBSCRIBE x*
m PUNSUBSCRIBE
m EXEC

# RESP3
r? HELLO 3
r SUBSCRIBE x
r GET k
r:2 PUBLISH x self           # own message before the reply
r PING
p PUBLISH x other
r <1
r UNSUBSCRIBE
r PUNSUBSCRIBE
r SUNSUBSCRIBE
r:2 SSUBSCRIBE a b
r~:2 SUNSUBSCRIBE
`)
}

// TestPubSubSubscribedMode: the RESP2 Pub/Sub context (server.c
// processCommand), RESET and CLIENT REPLY with pushes.
func TestPubSubSubscribedMode(t *testing.T) {
	d := psStart(t)
	d.run(t, `
c SUBSCRIBE a
c GET x
c SET x y
c CLIENT LIST
c CONFIG GET maxmemory
c HELLO 3
c MULTI
c EXEC                       # EXECABORT, as Redis's rejectCommand words it
c DISCARD
c PING
c PING x
c PSUBSCRIBE a*
c SSUBSCRIBE s
c UNSUBSCRIBE
c PUNSUBSCRIBE
c GET x                      # still subscribed to a shard channel
c SUNSUBSCRIBE
c GET x
c SUBSCRIBE r
c RESET
p PUBLISH r x
p PUBSUB NUMSUB r
c GET x

# pushes ignore CLIENT REPLY OFF/SKIP (unit/pubsub.tcl)
q? HELLO 3
q:0 CLIENT REPLY OFF
q:1 SUBSCRIBE channel
q:1 PSUBSCRIBE ch*
p PUBLISH channel hello
q <2
q:2 PUBLISH channel self
q:1 UNSUBSCRIBE channel
q CLIENT REPLY ON
q:0 CLIENT REPLY SKIP
q:1 SUBSCRIBE other
q PING
# a RESP3 subscriber going back to RESP2 is restricted again
q? HELLO 2
q GET x
q HELLO 3
q UNSUBSCRIBE
q PUNSUBSCRIBE
q GET x
`)
}

// TestKeyspaceNotificationsDiff: the events of the implemented commands
// and their channels, with notify-keyspace-events masks (notify.c and
// the notifyKeyspaceEvent calls of t_*.c, db.c, expire.c).
func TestKeyspaceNotificationsDiff(t *testing.T) {
	d := psStart(t)
	d.run(t, `
k PSUBSCRIBE *
p SET foo bar                # off by default
k <<
p CONFIG SET notify-keyspace-events KEA
p SET foo bar
p SELECT 9
p SET foo bar
p SET n 1
p INCR n
p INCRBY n 2
p INCRBYFLOAT n 1.5
p APPEND foo x
p SETRANGE foo 1 y
p GETSET foo z
p GETDEL foo
p MSET a 1 b 2
p SETEX e 100 v
p EXPIRE e 200
p PERSIST e
p RENAME e e2
p DEL e2 nokey
p LPUSH l a b c
p RPUSH l d
p LPOP l
p RPOP l 2
p LSET l 0 z
p LTRIM l 0 0
p LPOP l
p SADD s a b c
p SREM s a
p ZADD z 1 a 2 b
p ZINCRBY z 1 a
p ZREM z a
p HSET h f v g w
p HINCRBY h n 1
p HDEL h f
p FLUSHDB
k <<
p CONFIG SET notify-keyspace-events Kl
p SET foo bar
p LPUSH mylist a
k <<
p CONFIG SET notify-keyspace-events Egx
p SET e v PX 20
p EXPIRE foo 100
p DEL foo
sleep 100
p GET e
k <<
p CONFIG SET notify-keyspace-events En
p SET new1 v
p SET new1 w
p LPUSH new2 a
k <<
p CONFIG SET notify-keyspace-events ""
p SET foo bar
k <<
`)
}
