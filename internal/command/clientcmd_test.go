package command_test

import (
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// clientLine is the CLIENT LIST / CLIENT INFO line of a fresh RESP2
// client, as unit/introspection.tcl checks it (fields in Redis 7.0's
// order, catClientInfoString in networking.c).
var clientLine = regexp.MustCompile(`^id=(\d+) addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=-?\d+ name=(\S*) age=\d+ idle=\d+ flags=(\w+) db=(\d+) sub=0 psub=0 ssub=0 multi=-1 qbuf=\d+ qbuf-free=\d+ argv-mem=(\d+) multi-mem=0 rbs=\d+ rbp=\d+ obl=\d+ oll=\d+ omem=\d+ tot-mem=\d+ events=r\w* cmd=(\S+) user=default redir=-1 resp=([23])$`)

// verbatim strips a RESP2 bulk header and the trailing CRLF.
func verbatimBody(t *testing.T, raw string) string {
	t.Helper()
	head, body, ok := strings.Cut(raw, "\r\n")
	if !ok || !strings.HasPrefix(head, "$") {
		t.Fatalf("not a bulk string: %q", raw)
	}
	return strings.TrimSuffix(body, "\r\n")
}

func clientID(t *testing.T, c *srvConn) string {
	t.Helper()
	return strings.TrimSuffix(strings.TrimPrefix(c.do(t, "CLIENT", "ID"), ":"), "\r\n")
}

func TestClientListInfo(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	other := srvDial(t, s)
	other.do(t, "CLIENT", "SETNAME", "other")
	other.do(t, "SELECT", "5")
	myID, otherID := clientID(t, c), clientID(t, other)

	info := verbatimBody(t, c.do(t, "CLIENT", "INFO"))
	if !strings.HasSuffix(info, "\n") {
		t.Fatalf("CLIENT INFO does not end in a newline: %q", info)
	}
	m := clientLine.FindStringSubmatch(strings.TrimSuffix(info, "\n"))
	if m == nil {
		t.Fatalf("CLIENT INFO = %q", info)
	}
	if m[1] != myID || m[3] != "N" || m[5] != "10" || m[6] != "client|info" || m[7] != "2" {
		t.Errorf("CLIENT INFO fields: %q", m[1:])
	}

	list := verbatimBody(t, c.do(t, "CLIENT", "LIST"))
	lines := strings.Split(strings.TrimSuffix(list, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("CLIENT LIST has %d lines: %q", len(lines), list)
	}
	for _, l := range lines {
		m := clientLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("CLIENT LIST line = %q", l)
		}
		switch m[1] {
		case myID:
			if m[6] != "client|list" || m[2] != "" {
				t.Errorf("own line: %q", l)
			}
		case otherID:
			if m[2] != "other" || m[4] != "5" || m[6] != "client|id" || m[5] != "0" {
				t.Errorf("other line: %q", l)
			}
		default:
			t.Errorf("unknown client: %q", l)
		}
	}

	// CLIENT LIST ID and TYPE filters.
	l := verbatimBody(t, c.do(t, "CLIENT", "LIST", "ID", otherID, "999999"))
	if !strings.HasPrefix(l, "id="+otherID+" ") || strings.Count(l, "\n") != 1 {
		t.Errorf("CLIENT LIST ID = %q", l)
	}
	if l := verbatimBody(t, c.do(t, "CLIENT", "LIST", "TYPE", "normal")); strings.Count(l, "\n") != 2 {
		t.Errorf("CLIENT LIST TYPE normal = %q", l)
	}
	c.expect(t, "$0\r\n\r\n", "CLIENT", "LIST", "TYPE", "pubsub")
	c.expect(t, "$0\r\n\r\n", "CLIENT", "LIST", "TYPE", "replica")
	c.expect(t, "-ERR Unknown client type 'foo'\r\n", "CLIENT", "LIST", "TYPE", "foo")
	c.expect(t, "-ERR Invalid client ID\r\n", "CLIENT", "LIST", "ID", "x")
	c.expect(t, "-ERR syntax error\r\n", "CLIENT", "LIST", "ID")

	// RESP3 clients get a verbatim string.
	c.do(t, "HELLO", "3")
	if got := c.do(t, "CLIENT", "INFO"); !strings.HasPrefix(got, "=") || !strings.Contains(got, "txt:id="+myID) ||
		!strings.HasSuffix(got, " resp=3\n\r\n") {
		t.Errorf("RESP3 CLIENT INFO = %q", got)
	}
}

func TestClientSetName(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.expect(t, "$-1\r\n", "CLIENT", "GETNAME")
	for _, bad := range []string{"foo bar", "a\nb", "\x7f", "é"} {
		c.expect(t, "-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETNAME", bad)
	}
	c.expect(t, "+OK\r\n", "CLIENT", "SETNAME", "myname!~")
	c.expect(t, srvBulk("myname!~"), "CLIENT", "GETNAME")
	if l := c.do(t, "CLIENT", "LIST"); !strings.Contains(l, " name=myname!~ ") {
		t.Errorf("CLIENT LIST = %q", l)
	}
	c.expect(t, "+OK\r\n", "CLIENT", "SETNAME", "")
	c.expect(t, "$-1\r\n", "CLIENT", "GETNAME")
}

func TestClientKill(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	for _, tc := range []struct{ want, args string }{
		{"-ERR wrong number of arguments for 'client|kill' command", "CLIENT KILL"},
		{"-ERR syntax error", "CLIENT KILL ID 10 wrong_arg"},
		{"-ERR client-id should be greater than 0", "CLIENT KILL ID str"},
		{"-ERR client-id should be greater than 0", "CLIENT KILL ID -1"},
		{"-ERR client-id should be greater than 0", "CLIENT KILL ID 0"},
		{"-ERR Unknown client type 'wrong_type'", "CLIENT KILL TYPE wrong_type"},
		{"-ERR No such user 'wrong_user'", "CLIENT KILL USER wrong_user"},
		{"-ERR syntax error", "CLIENT KILL SKIPME yes_or_no"},
		{"-ERR No such client", "CLIENT KILL 1.2.3.4:5"},
		{":0", "CLIENT KILL ADDR 1.2.3.4:5"},
	} {
		c.expect(t, tc.want+"\r\n", strings.Fields(tc.args)...)
	}

	// By ID: the victim's connection is closed and it leaves the
	// client count at once.
	v := srvDial(t, s)
	vid := clientID(t, v)
	c.expect(t, ":1\r\n", "CLIENT", "KILL", "ID", vid)
	_ = v.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := v.r.ReadByte(); err == nil {
		t.Errorf("killed client still connected")
	}
	if l := c.do(t, "CLIENT", "LIST"); strings.Contains(l, "id="+vid+" ") {
		t.Errorf("killed client still listed: %q", l)
	}

	// Old form by address.
	v2 := srvDial(t, s)
	v2.do(t, "PING")
	c.expect(t, "+OK\r\n", "CLIENT", "KILL", v2.c.LocalAddr().String())

	// unit/introspection.tcl "CLIENT KILL SKIPME YES/NO will kill all clients".
	srvDial(t, s).do(t, "PING")
	srvDial(t, s).do(t, "PING")
	c.expect(t, ":2\r\n", "CLIENT", "KILL", "SKIPME", "yes")
	if n := len(s.Engine().Clients.Snapshot()); n != 1 {
		t.Errorf("%d clients after CLIENT KILL SKIPME yes", n)
	}
	c.expect(t, ":1\r\n", "CLIENT", "KILL", "SKIPME", "no")
	_ = c.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.r.ReadByte(); err != io.EOF {
		t.Errorf("self-killed client: err = %v, want EOF", err)
	}
}

func TestClientReplyOffOn(t *testing.T) {
	// unit/introspection.tcl "CLIENT REPLY OFF/ON: disable all commands reply".
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.send(t, "CLIENT", "REPLY", "OFF")
	c.send(t, "PING", "pong")
	c.send(t, "PING", "pong2")
	c.expect(t, "+OK\r\n", "CLIENT", "REPLY", "ON")
	c.expect(t, srvBulk("pong3"), "PING", "pong3")
	c.expect(t, "-ERR syntax error\r\n", "CLIENT", "REPLY", "maybe")
}

func TestClientMisc(t *testing.T) {
	s := servertest.Start(t, nil)
	c := srvDial(t, s)
	c.expect(t, "+OK\r\n", "CLIENT", "NO-EVICT", "on")
	if l := c.do(t, "CLIENT", "INFO"); !strings.Contains(l, " flags=e ") {
		t.Errorf("NO-EVICT flag missing: %q", l)
	}
	c.expect(t, "+OK\r\n", "CLIENT", "NO-EVICT", "off")
	c.expect(t, "-ERR syntax error\r\n", "CLIENT", "NO-EVICT", "maybe")
	c.expect(t, "-ERR timeout is not an integer or out of range\r\n", "CLIENT", "PAUSE", "abc")
	c.expect(t, "-ERR timeout is negative\r\n", "CLIENT", "PAUSE", "-1")
	c.expect(t, "-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n", "CLIENT", "PAUSE", "10", "read")
	c.expect(t, "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n", "CLIENT", "PAUSE", "10", "ALL", "x")
	c.expect(t, "+OK\r\n", "CLIENT", "PAUSE", "0")
	c.expect(t, "+OK\r\n", "CLIENT", "UNPAUSE")
	help := c.do(t, "CLIENT", "HELP")
	if !strings.HasPrefix(help, "*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n") ||
		!strings.HasSuffix(help, "+HELP\r\n+    Prints this help.\r\n") {
		t.Errorf("CLIENT HELP = %q", help)
	}
	c.expect(t, "-ERR unknown subcommand 'nosuch'. Try CLIENT HELP.\r\n", "CLIENT", "nosuch")

	// CLIENT PAUSE reaches the pause machinery.
	c.expect(t, "+OK\r\n", "CLIENT", "PAUSE", "100000", "WRITE")
	if p, w := s.Engine().Paused(); !p || !w {
		t.Errorf("Paused() = %v, %v after CLIENT PAUSE WRITE", p, w)
	}
	c.expect(t, "+OK\r\n", "CLIENT", "UNPAUSE")
	if p, _ := s.Engine().Paused(); p {
		t.Errorf("still paused after CLIENT UNPAUSE")
	}
	id, _ := strconv.Atoi(clientID(t, c))
	if id <= 0 {
		t.Errorf("CLIENT ID = %d", id)
	}
}

// TestClientListQbuf: qbuf is Redis's sdslen(querybuf): while a batch
// runs, the whole batch as read (a pipelined CLIENT INFO counts the
// requests around it); between batches, what is left (0).
func TestClientListQbuf(t *testing.T) {
	s := servertest.Start(t, nil)
	a, b := txDial(t, s), txDial(t, s)
	qbuf := regexp.MustCompile(`qbuf=(\d+) `)
	if got := qbuf.FindStringSubmatch(a.do("CLIENT", "INFO")); got == nil || got[1] != "26" {
		t.Errorf("CLIENT INFO alone: qbuf %v, want 26", got)
	}
	batch := txEncode(txEncode(nil, "PING"), "CLIENT", "INFO")
	if _, err := a.c.Write(batch); err != nil {
		t.Fatal(err)
	}
	a.read()
	if got := qbuf.FindStringSubmatch(a.read()); got == nil || got[1] != "40" {
		t.Errorf("PING + CLIENT INFO in one batch: qbuf %v, want 40", got)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(a.do("CLIENT", "ID"), ":"), "\r\n")
	list := b.do("CLIENT", "LIST", "ID", id)
	if got := qbuf.FindStringSubmatch(list); got == nil || got[1] != "0" {
		t.Errorf("idle client: qbuf %v, want 0 (%q)", got, list)
	}
}
