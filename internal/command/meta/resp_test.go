package meta

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// testWriter is a minimal Writer that encodes RESP2 or RESP3 the way Redis
// does (src/networking.c: addReplyMapLen, addReplySetLen, addReplyNull).
type testWriter struct {
	buf   []byte
	proto int
}

var _ Writer = (*testWriter)(nil)

func (w *testWriter) header(kind byte, n int) {
	w.buf = append(w.buf, kind)
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *testWriter) Array(n int) { w.header('*', n) }

func (w *testWriter) Map(n int) {
	if w.proto == 2 {
		w.header('*', 2*n)
		return
	}
	w.header('%', n)
}

func (w *testWriter) Set(n int) {
	if w.proto == 2 {
		w.header('*', n)
		return
	}
	w.header('~', n)
}

func (w *testWriter) BulkString(s string) {
	w.header('$', len(s))
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *testWriter) Status(s string) {
	w.buf = append(w.buf, '+')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\r', '\n')
}

func (w *testWriter) Int(n int64) { w.header(':', int(n)) }

func (w *testWriter) Null() {
	if w.proto == 2 {
		w.buf = append(w.buf, "$-1\r\n"...)
		return
	}
	w.buf = append(w.buf, "_\r\n"...)
}

// node is a parsed reply that re-encodes to the same bytes.
type node struct {
	kind    byte
	line    string // the header after the type byte
	payload string // bulk strings
	kids    []*node
}

var errShortReply = errors.New("short reply")

func parseNode(b []byte) (*node, int, error) {
	nl := bytes.Index(b, []byte("\r\n"))
	if len(b) == 0 || nl < 0 {
		return nil, 0, errShortReply
	}
	n := &node{kind: b[0], line: string(b[1:nl])}
	used := nl + 2
	switch n.kind {
	case '+', '-', ':', '_':
		return n, used, nil
	case '$':
		size, err := strconv.Atoi(n.line)
		if err != nil {
			return nil, 0, err
		}
		if size < 0 {
			return n, used, nil
		}
		if len(b) < used+size+2 {
			return nil, 0, errShortReply
		}
		n.payload = string(b[used : used+size])
		return n, used + size + 2, nil
	case '*', '%', '~':
		count, err := strconv.Atoi(n.line)
		if err != nil {
			return nil, 0, err
		}
		if n.kind == '%' {
			count *= 2
		}
		for i := 0; i < count; i++ {
			kid, k, err := parseNode(b[used:])
			if err != nil {
				return nil, 0, err
			}
			n.kids = append(n.kids, kid)
			used += k
		}
		return n, used, nil
	}
	return nil, 0, fmt.Errorf("unexpected type byte %q", n.kind)
}

func mustParse(b []byte) *node {
	n, used, err := parseNode(b)
	if err != nil {
		panic("BUG: cannot parse reply: " + err.Error())
	}
	if used != len(b) {
		panic(fmt.Sprintf("BUG: %d trailing bytes after reply", len(b)-used))
	}
	return n
}

func (n *node) encode(dst []byte) []byte {
	dst = append(dst, n.kind)
	dst = append(dst, n.line...)
	dst = append(dst, '\r', '\n')
	if n.kind == '$' && n.line != "-1" {
		dst = append(dst, n.payload...)
		dst = append(dst, '\r', '\n')
	}
	for _, k := range n.kids {
		dst = k.encode(dst)
	}
	return dst
}

// Redis iterates a command's subcommands in hash-table order, which depends
// on a hash seed drawn at start-up; these canonicalisers sort them by name
// so replies of two servers (or of a server and meta) can be compared.

// canonInfo sorts the subcommand entries of a COMMAND INFO entry.
func canonInfo(n *node) {
	if n.kind != '*' || len(n.kids) != 10 {
		return
	}
	subs := n.kids[9]
	for _, s := range subs.kids {
		canonInfo(s)
	}
	sort.SliceStable(subs.kids, func(i, j int) bool {
		return subs.kids[i].kids[0].payload < subs.kids[j].kids[0].payload
	})
}

// canonDocs sorts the "subcommands" map of a COMMAND DOCS value (a RESP3
// map or a RESP2 flat array of pairs).
func canonDocs(n *node) {
	for i := 0; i+1 < len(n.kids); i += 2 {
		if n.kids[i].payload == "subcommands" {
			canonPairs(n.kids[i+1])
		}
	}
}

// canonPairs sorts the name/docs pairs of a COMMAND DOCS map by name.
func canonPairs(n *node) {
	type pair struct{ k, v *node }
	var ps []pair
	for i := 0; i+1 < len(n.kids); i += 2 {
		canonDocs(n.kids[i+1])
		ps = append(ps, pair{n.kids[i], n.kids[i+1]})
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].k.payload < ps[j].k.payload })
	n.kids = n.kids[:0]
	for _, p := range ps {
		n.kids = append(n.kids, p.k, p.v)
	}
}
