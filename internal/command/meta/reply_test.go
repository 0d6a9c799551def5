package meta

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"sort"
	"strconv"
	"testing"
)

// The golden files under testdata/ hold the exact bytes redis-server 7.0.15
// sent (go run ./gen -golden): replies.json for single COMMAND INFO / DOCS
// requests, *_all.resp{2,3}.gz for COMMAND INFO and COMMAND DOCS without
// arguments.

type goldenReply struct {
	Request []string `json:"request"`
	RESP2   string   `json:"resp2"`
	RESP3   string   `json:"resp3"`
}

func loadTable(t testing.TB) *Table {
	t.Helper()
	tab, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func readGzip(t *testing.T, name string) []byte {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestGoldenReplies compares single-command COMMAND INFO and COMMAND DOCS
// replies byte for byte; for commands with subcommands, after sorting the
// subcommands (their order is Redis's hash order).
func TestGoldenReplies(t *testing.T) {
	tab := loadTable(t)
	data, err := os.ReadFile("testdata/replies.json")
	if err != nil {
		t.Fatal(err)
	}
	var replies []goldenReply
	if err := json.Unmarshal(data, &replies); err != nil {
		t.Fatal(err)
	}
	for _, r := range replies {
		for _, proto := range []int{2, 3} {
			want := r.RESP2
			if proto == 3 {
				want = r.RESP3
			}
			w := &testWriter{proto: proto}
			var c *Command
			switch r.Request[1] {
			case "COUNT":
				w.Int(int64(tab.Count()))
			case "INFO":
				c = tab.LookupFullName([]byte(r.Request[2]))
				w.Array(1)
				c.WriteInfo(w)
			case "DOCS":
				c = tab.LookupFullName([]byte(r.Request[2]))
				if c == nil {
					w.Map(0)
				} else {
					w.Map(1)
					w.BulkString(c.Name)
					c.WriteDocs(w)
				}
			default:
				t.Fatalf("unexpected request %q", r.Request)
			}
			got := w.buf
			if c == nil || len(c.Subcommands) == 0 {
				if string(got) != want {
					t.Errorf("%q RESP%d:\n got %q\nwant %q", r.Request, proto, got, want)
				}
				continue
			}
			gn, wn := mustParse(got), mustParse([]byte(want))
			if r.Request[1] == "INFO" {
				canonInfo(gn.kids[0])
				canonInfo(wn.kids[0])
			} else {
				canonDocs(gn.kids[1])
				canonDocs(wn.kids[1])
			}
			if g, w := gn.encode(nil), wn.encode(nil); !bytes.Equal(g, w) {
				t.Errorf("%q RESP%d (subcommands sorted):\n got %q\nwant %q", r.Request, proto, g, w)
			}
		}
	}
}

// TestGoldenAll checks every command's COMMAND INFO entry and COMMAND DOCS
// value against the server's complete replies, in both protocols.
func TestGoldenAll(t *testing.T) {
	tab := loadTable(t)
	for _, proto := range []int{2, 3} {
		suffix := ".resp" + strconv.Itoa(proto) + ".gz"

		info := mustParse(readGzip(t, "testdata/info_all"+suffix))
		if len(info.kids) != tab.Count() {
			t.Errorf("RESP%d: COMMAND INFO has %d commands, table %d", proto, len(info.kids), tab.Count())
		}
		var names []string
		for _, entry := range info.kids {
			name := entry.kids[0].payload
			names = append(names, name)
			c := tab.Lookup([]byte(name))
			if c == nil {
				t.Errorf("RESP%d: command %q missing", proto, name)
				continue
			}
			w := &testWriter{proto: proto}
			c.WriteInfo(w)
			got := mustParse(w.buf)
			canonInfo(got)
			canonInfo(entry)
			if g, want := got.encode(nil), entry.encode(nil); !bytes.Equal(g, want) {
				t.Errorf("RESP%d COMMAND INFO %s:\n got %q\nwant %q", proto, name, g, want)
			}
		}
		sort.Strings(names)
		for i, c := range tab.All() {
			if i < len(names) && names[i] != c.Name {
				t.Errorf("RESP%d: command %d is %q in the table, %q in COMMAND INFO", proto, i, c.Name, names[i])
				break
			}
		}

		docs := mustParse(readGzip(t, "testdata/docs_all"+suffix))
		if len(docs.kids) != 2*tab.Count() {
			t.Errorf("RESP%d: COMMAND DOCS has %d commands, table %d", proto, len(docs.kids)/2, tab.Count())
		}
		for i := 0; i+1 < len(docs.kids); i += 2 {
			name, val := docs.kids[i].payload, docs.kids[i+1]
			c := tab.Lookup([]byte(name))
			if c == nil {
				t.Errorf("RESP%d: command %q missing", proto, name)
				continue
			}
			w := &testWriter{proto: proto}
			c.WriteDocs(w)
			got := mustParse(w.buf)
			canonDocs(got)
			canonDocs(val)
			if g, want := got.encode(nil), val.encode(nil); !bytes.Equal(g, want) {
				t.Errorf("RESP%d COMMAND DOCS %s:\n got %q\nwant %q", proto, name, g, want)
			}
		}
	}
}

func TestWriteKeyFlags(t *testing.T) {
	// Flag order of addReplyFlagsForKeyArgs (src/server.c).
	w := &testWriter{proto: 3}
	WriteKeyFlags(w, KeyDelete|KeyRW|KeyAccess)
	if want := "~3\r\n+RW\r\n+access\r\n+delete\r\n"; string(w.buf) != want {
		t.Errorf("got %q, want %q", w.buf, want)
	}
	w = &testWriter{proto: 2}
	WriteKeyFlags(w, 0)
	if want := "*0\r\n"; string(w.buf) != want {
		t.Errorf("got %q, want %q", w.buf, want)
	}
}

func TestWriteInfoNoAllocs(t *testing.T) {
	tab := loadTable(t)
	c := tab.Lookup([]byte("zunionstore"))
	w := &testWriter{proto: 3, buf: make([]byte, 0, 64<<10)}
	allocs := testing.AllocsPerRun(100, func() {
		w.buf = w.buf[:0]
		c.WriteInfo(w)
		c.WriteDocs(w)
	})
	if allocs != 0 {
		t.Errorf("WriteInfo+WriteDocs allocate %.1f times", allocs)
	}
}
