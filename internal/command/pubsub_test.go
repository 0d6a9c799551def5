package command_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Black-box tests of the Pub/Sub commands and keyspace notifications over
// raw RESP. Expected bytes were checked against redis-server 7.0.15
// (pubsub.c, notify.c, server.c processCommand; unit/pubsub.tcl).

// psArr is a RESP2 array (or, with head ">", a RESP3 push) of bulks.
func psArr(head string, elems ...string) string {
	s := head + strconv.Itoa(len(elems)) + "\r\n"
	for _, e := range elems {
		s += srvBulk(e)
	}
	return s
}

// psConfirm is a (un)subscription confirmation.
func psConfirm(head, kind, name string, count int) string {
	return head + "3\r\n" + srvBulk(kind) + srvBulk(name) + ":" + strconv.Itoa(count) + "\r\n"
}

func psMsg(ch, payload string) string { return psArr("*", "message", ch, payload) }

func psPMsg(pat, ch, payload string) string { return psArr("*", "pmessage", pat, ch, payload) }

// expectRead checks the next reply/push the connection receives.
func (sc *srvConn) expectRead(t *testing.T, want string) {
	t.Helper()
	if got := sc.read(t); got != want {
		t.Errorf("read:\n got  %q\n want %q", got, want)
	}
}

// expectSilence checks that nothing more arrives for a short while.
func (sc *srvConn) expectSilence(t *testing.T) {
	t.Helper()
	_ = sc.c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if b, err := sc.r.ReadByte(); err == nil {
		t.Errorf("unexpected data starting with %q", b)
	}
	_ = sc.c.SetReadDeadline(time.Time{})
}

// unit/pubsub.tcl "PUBLISH/SUBSCRIBE basics", "SUBSCRIBE to one channel
// more than once", "UNSUBSCRIBE from non-subscribed channels".
func TestPubSubBasics(t *testing.T) {
	s := servertest.Start(t, nil)
	sub, pub := srvDial(t, s), srvDial(t, s)
	sub.send(t, "SUBSCRIBE", "chan1", "chan2", "chan1")
	sub.expectRead(t, psConfirm("*", "subscribe", "chan1", 1))
	sub.expectRead(t, psConfirm("*", "subscribe", "chan2", 2))
	sub.expectRead(t, psConfirm("*", "subscribe", "chan1", 2))
	pub.expect(t, ":1\r\n", "PUBLISH", "chan1", "hello")
	pub.expect(t, ":1\r\n", "PUBLISH", "chan2", "world")
	pub.expect(t, ":0\r\n", "PUBLISH", "chan3", "nobody")
	sub.expectRead(t, psMsg("chan1", "hello"))
	sub.expectRead(t, psMsg("chan2", "world"))

	sub.send(t, "UNSUBSCRIBE", "chan1", "foo")
	sub.expectRead(t, psConfirm("*", "unsubscribe", "chan1", 1))
	sub.expectRead(t, psConfirm("*", "unsubscribe", "foo", 1))
	pub.expect(t, ":0\r\n", "PUBLISH", "chan1", "hello")

	// Binary-safe channel and payload.
	sub.send(t, "SUBSCRIBE", "a\x00\r\nb")
	sub.expectRead(t, psConfirm("*", "subscribe", "a\x00\r\nb", 2))
	pub.expect(t, ":1\r\n", "PUBLISH", "a\x00\r\nb", "\x00\xff")
	sub.expectRead(t, psMsg("a\x00\r\nb", "\x00\xff"))

	// UNSUBSCRIBE without arguments: one confirmation per channel, in
	// subscription order here (Redis's is its dict's), counts going down.
	sub.send(t, "UNSUBSCRIBE")
	sub.expectRead(t, psConfirm("*", "unsubscribe", "chan2", 1))
	sub.expectRead(t, psConfirm("*", "unsubscribe", "a\x00\r\nb", 0))
	// ... and with nothing left a single confirmation with a null channel.
	sub.expect(t, "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n", "UNSUBSCRIBE")
	sub.expect(t, "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n", "PUNSUBSCRIBE")
	sub.expect(t, "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n", "SUNSUBSCRIBE")
	// Not subscribed any more: a normal client again.
	sub.expect(t, "+PONG\r\n", "PING")
	pub.expect(t, ":0\r\n", "PUBLISH", "chan2", "x")
}

// unit/pubsub.tcl "PUBLISH/PSUBSCRIBE basics", "Mix SUBSCRIBE and
// PSUBSCRIBE", "NUMPATs returns the number of unique patterns".
func TestPubSubPatterns(t *testing.T) {
	s := servertest.Start(t, nil)
	a, b, pub := srvDial(t, s), srvDial(t, s), srvDial(t, s)
	a.send(t, "PSUBSCRIBE", "foo.*", "bar.*")
	a.expectRead(t, psConfirm("*", "psubscribe", "foo.*", 1))
	a.expectRead(t, psConfirm("*", "psubscribe", "bar.*", 2))
	a.send(t, "SUBSCRIBE", "foo.bar")
	a.expectRead(t, psConfirm("*", "subscribe", "foo.bar", 3)) // channels + patterns
	b.send(t, "PSUBSCRIBE", "foo.*", "f[o]o.b?r")
	b.expectRead(t, psConfirm("*", "psubscribe", "foo.*", 1))
	b.expectRead(t, psConfirm("*", "psubscribe", "f[o]o.b?r", 2))

	pub.expect(t, ":3\r\n", "PUBSUB", "NUMPAT")
	pub.expect(t, ":4\r\n", "PUBLISH", "foo.bar", "hello")
	pub.expect(t, ":0\r\n", "PUBLISH", "foo1", "hello")
	pub.expect(t, ":0\r\n", "PUBLISH", "barfoo.1", "hello")
	a.expectRead(t, psMsg("foo.bar", "hello")) // channel first, then patterns
	a.expectRead(t, psPMsg("foo.*", "foo.bar", "hello"))
	b.expectRead(t, psPMsg("foo.*", "foo.bar", "hello"))
	b.expectRead(t, psPMsg("f[o]o.b?r", "foo.bar", "hello"))

	a.send(t, "PUNSUBSCRIBE", "foo.*", "nope")
	a.expectRead(t, psConfirm("*", "punsubscribe", "foo.*", 2))
	a.expectRead(t, psConfirm("*", "punsubscribe", "nope", 2))
	a.send(t, "PUNSUBSCRIBE")
	a.expectRead(t, psConfirm("*", "punsubscribe", "bar.*", 1))
	pub.expect(t, ":2\r\n", "PUBSUB", "NUMPAT")
	pub.expect(t, ":0\r\n", "PUBLISH", "bar.x", "y")
	b.expectSilence(t)
}

func TestPubSubShard(t *testing.T) {
	s := servertest.Start(t, nil)
	sub, pub := srvDial(t, s), srvDial(t, s)
	sub.send(t, "SSUBSCRIBE", "s1", "s2")
	sub.expectRead(t, psConfirm("*", "ssubscribe", "s1", 1))
	sub.expectRead(t, psConfirm("*", "ssubscribe", "s2", 2))
	sub.send(t, "PSUBSCRIBE", "s*") // counts channels + patterns only
	sub.expectRead(t, psConfirm("*", "psubscribe", "s*", 1))
	pub.expect(t, ":1\r\n", "SPUBLISH", "s1", "m") // patterns do not see shard messages
	sub.expectRead(t, psArr("*", "smessage", "s1", "m"))
	pub.expect(t, ":1\r\n", "PUBLISH", "s1", "g") // nor shard subscribers global ones
	sub.expectRead(t, psPMsg("s*", "s1", "g"))
	pub.expect(t, "*2\r\n"+srvBulk("s1")+":1\r\n", "PUBSUB", "SHARDNUMSUB", "s1")
	pub.expect(t, "*2\r\n"+srvBulk("s1")+":0\r\n", "PUBSUB", "NUMSUB", "s1")
	pub.expect(t, "*1\r\n"+srvBulk("s2"), "PUBSUB", "SHARDCHANNELS", "*2")
	pub.expect(t, "*0\r\n", "PUBSUB", "CHANNELS")
	sub.send(t, "SUNSUBSCRIBE", "s2")
	sub.expectRead(t, psConfirm("*", "sunsubscribe", "s2", 1))
	sub.send(t, "SUNSUBSCRIBE")
	sub.expectRead(t, psConfirm("*", "sunsubscribe", "s1", 0))
	pub.expect(t, ":0\r\n", "SPUBLISH", "s1", "m")

	// No MULTI exemption for SSUBSCRIBE (pubsub.c ssubscribeCommand).
	c := srvDial(t, s)
	c.expect(t, "+OK\r\n", "MULTI")
	c.expect(t, "+QUEUED\r\n", "SSUBSCRIBE", "x")
	c.expect(t, "*1\r\n-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n", "EXEC")
}

func TestPubSubIntrospection(t *testing.T) {
	s := servertest.Start(t, nil)
	a, b, c := srvDial(t, s), srvDial(t, s), srvDial(t, s)
	a.send(t, "SUBSCRIBE", "foo", "foobar")
	a.read(t)
	a.read(t)
	b.send(t, "SUBSCRIBE", "foo")
	b.read(t)
	b.send(t, "PSUBSCRIBE", "foo")
	b.read(t)
	// unit/pubsub.tcl "NUMSUB returns numbers, not strings (#1561)";
	// patterns are not subscribers of a channel.
	c.expect(t, "*4\r\n"+srvBulk("abc")+":0\r\n"+srvBulk("foo")+":2\r\n", "PUBSUB", "NUMSUB", "abc", "foo")
	c.expect(t, "*0\r\n", "PUBSUB", "NUMSUB")
	c.expect(t, "*1\r\n"+srvBulk("foobar"), "PUBSUB", "CHANNELS", "*bar")
	if got := c.do(t, "PUBSUB", "CHANNELS"); got != "*2\r\n"+srvBulk("foo")+srvBulk("foobar") &&
		got != "*2\r\n"+srvBulk("foobar")+srvBulk("foo") {
		t.Errorf("PUBSUB CHANNELS = %q", got)
	}
	c.expect(t, ":1\r\n", "PUBSUB", "NUMPAT")
	c.expect(t, "-ERR unknown subcommand or wrong number of arguments for 'channels'. Try PUBSUB HELP.\r\n",
		"PUBSUB", "channels", "a", "b")
	c.expect(t, "-ERR wrong number of arguments for 'pubsub|numpat' command\r\n", "PUBSUB", "NUMPAT", "x")
	c.expect(t, "-ERR unknown subcommand 'foo'. Try PUBSUB HELP.\r\n", "PUBSUB", "foo")
	c.expect(t, "-ERR wrong number of arguments for 'publish' command\r\n", "PUBLISH", "a")
	c.expect(t, "-ERR wrong number of arguments for 'subscribe' command\r\n", "SUBSCRIBE")
	help := c.do(t, "PUBSUB", "HELP")
	if !strings.HasPrefix(help, "*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CHANNELS [<pattern>]\r\n") ||
		!strings.HasSuffix(help, "+SHARDNUMSUB [<shardchannel> ...]\r\n+    Return the number of subscribers for the specified shard level channel(s)\r\n+HELP\r\n+    Prints this help.\r\n") {
		t.Errorf("PUBSUB HELP = %q", help)
	}

	// CLIENT LIST counts and the P flag.
	list := c.do(t, "CLIENT", "LIST")
	if !strings.Contains(list, " flags=P ") || !strings.Contains(list, " sub=1 psub=1 ssub=0 ") ||
		!strings.Contains(list, " sub=2 psub=0 ssub=0 ") {
		t.Errorf("CLIENT LIST:\n%s", list)
	}
	b.send(t, "UNSUBSCRIBE")
	b.read(t)
	b.send(t, "PUNSUBSCRIBE")
	b.read(t)
	list = c.do(t, "CLIENT", "LIST")
	if strings.Count(list, " flags=P ") != 1 {
		t.Errorf("CLIENT LIST after unsubscribing:\n%s", list)
	}
}

func TestPubSubRESP3(t *testing.T) {
	s := servertest.Start(t, nil)
	c, pub := srvDial(t, s), srvDial(t, s)
	c.send(t, "HELLO", "3")
	c.read(t)
	c.send(t, "SUBSCRIBE", "x")
	c.expectRead(t, psConfirm(">", "subscribe", "x", 1))
	// Any command works in RESP3 with subscriptions; a message published
	// by the subscriber itself precedes its PUBLISH reply.
	c.expect(t, "_\r\n", "GET", "k")
	c.send(t, "PUBLISH", "x", "hi")
	c.expectRead(t, psArr(">", "message", "x", "hi"))
	c.expectRead(t, ":1\r\n")
	c.expect(t, "+PONG\r\n", "PING")
	pub.expect(t, ":1\r\n", "PUBLISH", "x", "there")
	c.expectRead(t, psArr(">", "message", "x", "there"))
	c.expect(t, ">3\r\n$11\r\nunsubscribe\r\n"+srvBulk("x")+":0\r\n", "UNSUBSCRIBE")
	c.expect(t, ">3\r\n$12\r\npunsubscribe\r\n_\r\n:0\r\n", "PUNSUBSCRIBE")
}

// A message published inside the transaction that subscribed lands in
// EXEC's reply, as in Redis: the array announces two replies and the
// message push sits between them, so a reader sees the PUBLISH reply
// after the array.
func TestPubSubInMulti(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.expect(t, "+OK\r\n", "MULTI")
	c.expect(t, "+QUEUED\r\n", "SUBSCRIBE", "x")
	c.expect(t, "+QUEUED\r\n", "PUBLISH", "x", "hi")
	c.send(t, "EXEC")
	c.expectRead(t, "*2\r\n"+psConfirm("*", "subscribe", "x", 1)+psMsg("x", "hi"))
	c.expectRead(t, ":1\r\n")
}

// unit/pubsub.tcl "PubSub messages with CLIENT REPLY OFF": pushes are
// sent even when replies are off.
func TestPubSubReplyOff(t *testing.T) {
	s := servertest.Start(t, nil)
	c, pub := srvDial(t, s), srvDial(t, s)
	c.send(t, "HELLO", "3")
	c.read(t)
	c.send(t, "CLIENT", "REPLY", "OFF")
	c.send(t, "SUBSCRIBE", "channel")
	c.expectRead(t, psConfirm(">", "subscribe", "channel", 1))
	c.send(t, "PSUBSCRIBE", "ch*")
	c.expectRead(t, psConfirm(">", "psubscribe", "ch*", 2))
	pub.expect(t, ":2\r\n", "PUBLISH", "channel", "hello")
	c.expectRead(t, psArr(">", "message", "channel", "hello"))
	c.expectRead(t, psArr(">", "pmessage", "ch*", "channel", "hello"))
	c.send(t, "PUBLISH", "channel", "self") // the reply is off, the messages are not
	c.expectRead(t, psArr(">", "message", "channel", "self"))
	c.expectRead(t, psArr(">", "pmessage", "ch*", "channel", "self"))
	c.send(t, "UNSUBSCRIBE", "channel")
	c.expectRead(t, psConfirm(">", "unsubscribe", "channel", 1))
	c.send(t, "CLIENT", "REPLY", "ON")
	c.expectRead(t, "+OK\r\n")
	c.send(t, "CLIENT", "REPLY", "SKIP")
	c.send(t, "PUNSUBSCRIBE", "ch*")
	c.expectRead(t, psConfirm(">", "punsubscribe", "ch*", 0))
	c.expect(t, "+PONG\r\n", "PING")
}

// unit/pubsub.tcl "Keyspace notifications: ..." (notify.c).
func TestKeyspaceNotifications(t *testing.T) {
	s := servertest.Start(t, nil)
	sub, c := srvDial(t, s), srvDial(t, s)
	sub.send(t, "PSUBSCRIBE", "*")
	sub.read(t)

	// Off by default.
	c.expect(t, "+OK\r\n", "SET", "foo", "bar")
	sub.expectSilence(t)

	c.expect(t, "+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "KEA")
	c.expect(t, "+OK\r\n", "SET", "foo", "bar")
	sub.expectRead(t, psPMsg("*", "__keyspace@0__:foo", "set"))
	sub.expectRead(t, psPMsg("*", "__keyevent@0__:set", "foo"))

	// Masking: lists only, keyspace only; database in the channel name.
	c.expect(t, "+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "Kl")
	c.expect(t, "+OK\r\n", "SELECT", "9")
	c.expect(t, "+OK\r\n", "SET", "foo", "bar")
	c.expect(t, ":1\r\n", "LPUSH", "mylist", "a")
	sub.expectRead(t, psPMsg("*", "__keyspace@9__:mylist", "lpush"))

	// Generic events, keyevent only.
	c.expect(t, "+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "Eg")
	c.expect(t, ":1\r\n", "EXPIRE", "foo", "100")
	c.expect(t, ":1\r\n", "DEL", "foo")
	sub.expectRead(t, psPMsg("*", "__keyevent@9__:expire", "foo"))
	sub.expectRead(t, psPMsg("*", "__keyevent@9__:del", "foo"))

	// Exact channel subscriptions receive them too.
	sub2 := srvDial(t, s)
	sub2.send(t, "SUBSCRIBE", "__keyevent@9__:del")
	sub2.read(t)
	c.expect(t, ":1\r\n", "DEL", "mylist")
	sub.expectRead(t, psPMsg("*", "__keyevent@9__:del", "mylist"))
	sub2.expectRead(t, psMsg("__keyevent@9__:del", "mylist"))
	sub.expectSilence(t)
}

// A RESP3 client subscribed to its own keyspace events gets them before
// the reply of the command that caused them.
func TestKeyspaceNotificationsSelf(t *testing.T) {
	s := servertest.Start(t, []string{"--notify-keyspace-events", "K$"})
	c := srvDial(t, s)
	c.send(t, "HELLO", "3")
	c.read(t)
	c.send(t, "SUBSCRIBE", "__keyspace@0__:k")
	c.read(t)
	c.send(t, "SET", "k", "v")
	c.expectRead(t, psArr(">", "message", "__keyspace@0__:k", "set"))
	c.expectRead(t, "+OK\r\n")
}

// The tests below need the dispatcher and engine hooks: the subscribed
// mode check, the disconnect and RESET clean-up, the expired and new key
// events.

// server.c processCommand: a RESP2 client with subscriptions may only run
// (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET.
func TestPubSubSubscribedMode(t *testing.T) {
	s := servertest.Start(t, nil)
	c, pub := srvDial(t, s), srvDial(t, s)
	c.send(t, "SUBSCRIBE", "a")
	c.read(t)
	c.expect(t, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", "GET", "x")
	c.expect(t, "-ERR Can't execute 'client|list': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", "CLIENT", "LIST")
	c.expect(t, "*2\r\n"+srvBulk("pong")+srvBulk(""), "PING")
	c.expect(t, "*2\r\n"+srvBulk("pong")+srvBulk("x"), "PING", "x")
	c.expect(t, psConfirm("*", "psubscribe", "a*", 2), "PSUBSCRIBE", "a*")
	c.expect(t, psConfirm("*", "ssubscribe", "s", 1), "SSUBSCRIBE", "s")
	c.expect(t, psConfirm("*", "unsubscribe", "a", 1), "UNSUBSCRIBE")
	c.expect(t, psConfirm("*", "punsubscribe", "a*", 0), "PUNSUBSCRIBE")
	// Still in Pub/Sub mode through the shard subscription.
	c.expect(t, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n", "GET", "x")
	c.expect(t, psConfirm("*", "sunsubscribe", "s", 0), "SUNSUBSCRIBE")
	c.expect(t, "$-1\r\n", "GET", "x")

	// RESET drops every subscription silently (clearClientConnectionState).
	c.expect(t, psConfirm("*", "subscribe", "r", 1), "SUBSCRIBE", "r")
	c.expect(t, "+RESET\r\n", "RESET")
	pub.expect(t, ":0\r\n", "PUBLISH", "r", "x")
	pub.expect(t, "*2\r\n"+srvBulk("r")+":0\r\n", "PUBSUB", "NUMSUB", "r")
	c.expect(t, "$-1\r\n", "GET", "x")
}

// A client's subscriptions go with it.
func TestPubSubDisconnect(t *testing.T) {
	s := servertest.Start(t, nil)
	c, pub := srvDial(t, s), srvDial(t, s)
	c.send(t, "SUBSCRIBE", "a")
	c.read(t)
	c.send(t, "PSUBSCRIBE", "a*")
	c.read(t)
	pub.expect(t, ":2\r\n", "PUBLISH", "a", "x")
	c.c.Close()
	deadline := time.Now().Add(5 * time.Second)
	for pub.do(t, "PUBSUB", "NUMPAT") != ":0\r\n" || pub.do(t, "PUBLISH", "a", "x") != ":0\r\n" {
		if time.Now().After(deadline) {
			t.Fatal("subscriptions of a closed connection survive")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// unit/pubsub.tcl "Keyspace notifications: expired events", "new key
// test".
func TestKeyspaceNotificationsExpiredNew(t *testing.T) {
	clock := servertest.NewClock(time.Unix(1700000000, 0))
	s := servertest.Start(t, []string{"--notify-keyspace-events", "Exn"}, servertest.WithClock(clock))
	sub, c := srvDial(t, s), srvDial(t, s)
	sub.send(t, "PSUBSCRIBE", "*")
	sub.read(t)
	c.expect(t, "+OK\r\n", "SET", "foo", "bar", "PX", "100")
	c.expect(t, "+OK\r\n", "SET", "foo", "baz", "PX", "100") // no second "new"
	sub.expectRead(t, psPMsg("*", "__keyevent@0__:new", "foo"))
	clock.Advance(time.Second)
	c.expect(t, "$-1\r\n", "GET", "foo")
	sub.expectRead(t, psPMsg("*", "__keyevent@0__:expired", "foo"))
	sub.expectSilence(t)
}
