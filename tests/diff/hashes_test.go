package diff

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Differential tests of the hash commands (Redis 7.0.15's t_hash.c), and
// the helpers the set and SORT tests share (coll*). Every reply is
// compared byte for byte, except what Redis leaves unspecified, which is
// normalised or checked for validity only:
//   - the order of a hashtable hash (HGETALL, HKEYS, HVALS, HRANDFIELD with
//     a count >= HLEN): compared sorted; a listpack's order is compared;
//   - the picks of HRANDFIELD: same reply shape, and each field really is
//     in the hash with that value, distinct for a positive count;
//   - HSCAN over a hashtable: a full scan with the same options must return
//     the same set of pairs (the cursors are the servers' own).

// collDuo is the two servers seen over RESP2 (h2) and RESP3 (h3).
type collDuo struct {
	h2, h3 *Harness
	r      *rand.Rand
	log    []string
}

func collDiffStart(t *testing.T, args ...string) *collDuo {
	t.Helper()
	h := Start(t, args...)
	h3 := &Harness{Redis: Dial(t, h.Redis.Addr), Cinnabar: Dial(t, h.Cinnabar.Addr)}
	h3.Both(t, "HELLO", "3") // the replies differ (id)
	return &collDuo{h2: h, h3: h3, r: h.Rand()}
}

// on returns the RESP2 or the RESP3 pair.
func (d *collDuo) on(resp3 bool) *Harness {
	if resp3 {
		return d.h3
	}
	return d.h2
}

// redis sends a command to the real server only (over RESP2).
func (d *collDuo) redis(t *testing.T, args ...string) []byte {
	t.Helper()
	return d.h2.Redis.Send(t, Encode(nil, args...), 1)[0]
}

// both sends a command to both servers over RESP2, comparing the replies.
func (d *collDuo) both(t *testing.T, args ...string) []byte {
	t.Helper()
	d.log = append(d.log, strings.Join(args, " "))
	return d.h2.Do(t, args...)
}

// encodingOf is OBJECT ENCODING key on both servers, which must agree.
func (d *collDuo) encodingOf(t *testing.T, key string) string {
	t.Helper()
	raw := d.both(t, "OBJECT", "ENCODING", key)
	if len(raw) > 0 && raw[0] == '$' {
		if _, rest, ok := bytes.Cut(raw, []byte("\r\n")); ok {
			return string(bytes.TrimSuffix(rest, []byte("\r\n")))
		}
	}
	return ""
}

// failed stops a random stream at its first difference, with its context.
func (d *collDuo) failed(t *testing.T, i int) {
	t.Helper()
	if t.Failed() {
		from := max(0, len(d.log)-20)
		t.Fatalf("stopped at command %d (seed %d); last commands:\n%s", i, d.h2.Seed, strings.Join(d.log[from:], "\n"))
	}
}

// collChildren splits an aggregate reply into its header line and the raw
// encodings of its elements; ok is false for anything else.
func collChildren(raw []byte) (header []byte, kids [][]byte, ok bool) {
	if len(raw) == 0 || !bytes.ContainsRune([]byte("*~%"), rune(raw[0])) {
		return nil, nil, false
	}
	i := bytes.Index(raw, []byte("\r\n"))
	n, err := strconv.Atoi(string(raw[1:i]))
	if err != nil || n < 0 {
		return nil, nil, false
	}
	if raw[0] == '%' {
		n *= 2
	}
	r := bufio.NewReader(bytes.NewReader(raw[i+2:]))
	for range n {
		k, err := ReadReply(r)
		if err != nil {
			return nil, nil, false
		}
		kids = append(kids, k)
	}
	return raw[:i+2], kids, true
}

// collSorted normalises an aggregate whose element order is unspecified:
// its elements, taken group at a time (2 for field/value pairs in a flat
// RESP2 reply or a map), are sorted.
func collSorted(group int) func([]byte) []byte {
	return func(raw []byte) []byte {
		header, kids, ok := collChildren(raw)
		if !ok || len(kids)%group != 0 {
			return raw
		}
		var groups [][]byte
		for i := 0; i < len(kids); i += group {
			groups = append(groups, bytes.Join(kids[i:i+group], nil))
		}
		slices.SortFunc(groups, bytes.Compare)
		return append(append([]byte(nil), header...), bytes.Join(groups, nil)...)
	}
}

// collStrings returns the bulk strings of an aggregate reply, flattening
// one level of nested arrays (RESP3 [field, value] pairs).
func collStrings(t *testing.T, raw []byte) []string {
	t.Helper()
	_, kids, ok := collChildren(raw)
	if !ok {
		t.Fatalf("not an aggregate: %q", raw)
	}
	var out []string
	for _, k := range kids {
		if k[0] == '*' {
			out = append(out, collStrings(t, k)...)
			continue
		}
		_, body, _ := bytes.Cut(k, []byte("\r\n"))
		out = append(out, string(bytes.TrimSuffix(body, []byte("\r\n"))))
	}
	return out
}

// collShape renders a reply without its strings: types and lengths.
func collShape(raw []byte) string {
	header, kids, ok := collChildren(raw)
	if !ok {
		if len(raw) > 0 && raw[0] == '$' && !bytes.HasPrefix(raw, []byte("$-1")) {
			return "$"
		}
		return string(raw)
	}
	parts := make([]string, len(kids))
	for i, k := range kids {
		parts[i] = collShape(k)
	}
	return string(header[:len(header)-2]) + "[" + strings.Join(parts, " ") + "]"
}

// collScanAll runs a whole HSCAN/SSCAN on one peer and returns every
// element (pairs joined for a hash), sorted and deduplicated.
func collScanAll(t *testing.T, p *Peer, cmd, key string, opts []string, pairs bool) []string {
	t.Helper()
	seen := map[string]bool{}
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 10000 {
			t.Fatalf("%s %s does not end on %s", cmd, key, p.Addr)
		}
		raw := p.Send(t, Encode(nil, append([]string{cmd, key, cursor}, opts...)...), 1)[0]
		_, kids, ok := collChildren(raw)
		if !ok || len(kids) != 2 {
			t.Fatalf("%s on %s: %q", cmd, p.Addr, raw)
		}
		_, c, _ := bytes.Cut(kids[0], []byte("\r\n"))
		items := collStrings(t, kids[1])
		step := 1
		if pairs {
			step = 2
		}
		for i := 0; i+step <= len(items); i += step {
			seen[strings.Join(items[i:i+step], "\x00")] = true
		}
		if cursor = string(bytes.TrimSuffix(c, []byte("\r\n"))); cursor == "0" {
			break
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// scan compares a HSCAN/SSCAN: exactly (one call, cursor 0) for a listpack
// or an intset, as the sets of elements of a full scan otherwise.
func (d *collDuo) scan(t *testing.T, h *Harness, args []string, pairs bool) {
	t.Helper()
	enc := d.encodingOf(t, args[1])
	if enc != "hashtable" || args[2] != "0" {
		h.Do(t, args...)
		return
	}
	opts := args[3:]
	want := collScanAll(t, h.Redis, args[0], args[1], opts, pairs)
	got := collScanAll(t, h.Cinnabar, args[0], args[1], opts, pairs)
	if !slices.Equal(want, got) {
		t.Errorf("full %q: redis %d elements, cinnabar %d:\n redis:    %q\n cinnabar: %q", args, len(want), len(got), want, got)
	}
}

// hashFields returns the hash at key as the real server holds it.
func (d *collDuo) hashFields(t *testing.T, key string) map[string]string {
	t.Helper()
	raw := d.redis(t, "HGETALL", key)
	if raw[0] == '-' {
		return nil
	}
	all := collStrings(t, raw)
	m := map[string]string{}
	for i := 0; i+1 < len(all); i += 2 {
		m[all[i]] = all[i+1]
	}
	return m
}

// hrandfield compares HRANDFIELD by shape and checks Cinnabar's picks.
func (d *collDuo) hrandfield(t *testing.T, h *Harness, args []string) {
	t.Helper()
	if len(args) < 3 {
		want, got := h.Both(t, args...)
		if collShape(want) != collShape(got) {
			t.Errorf("%q: shapes differ:\n redis:    %q\n cinnabar: %q", args, want, got)
		}
		return
	}
	count, err := strconv.Atoi(args[2])
	fields := d.hashFields(t, args[1])
	if err == nil && count >= len(fields) && len(fields) > 0 {
		// The whole hash, in its order.
		if d.encodingOf(t, args[1]) == "listpack" {
			h.Do(t, args...)
		} else {
			group := 1
			if len(args) == 4 && h == d.h2 {
				group = 2
			}
			h.DoNorm(t, collSorted(group), args...)
		}
		return
	}
	want, got := h.Both(t, args...)
	if collShape(want) != collShape(got) {
		t.Errorf("%q: shapes differ:\n redis:    %q\n cinnabar: %q", args, want, got)
		return
	}
	if got[0] != '*' || err != nil {
		return
	}
	items := collStrings(t, got)
	withValues := len(args) == 4
	step := 1
	if withValues {
		step = 2
	}
	seen := map[string]bool{}
	for i := 0; i+step <= len(items); i += step {
		f := items[i]
		v, ok := fields[f]
		if !ok || (withValues && items[i+1] != v) {
			t.Errorf("%q: cinnabar picked %q (%q), not in the hash", args, f, items[i:i+step])
		}
		if count > 0 && seen[f] {
			t.Errorf("%q: cinnabar picked %q twice", args, f)
		}
		seen[f] = true
	}
}

// TestHashesFixed runs fixed cases over RESP2 then RESP3.
func TestHashesFixed(t *testing.T) {
	d := collDiffStart(t)
	script := `
HSET h a 1 b 2 c 3
HSET h a
HMSET h a 1 b
HSET nokey
HSETNX h a x
HSETNX h d 4
HGET h a
HGET h nofield
HGET nokey a
HMGET h a nofield b
HMGET nokey a b
HGETALL h
HGETALL nokey
HKEYS h
HVALS h
HKEYS nokey
HLEN h
HSTRLEN h a
HSTRLEN h nofield
HEXISTS h a
HEXISTS nokey a
HINCRBY h a 10
HINCRBY h a -20
HINCRBY h a x
HINCRBY h new 9223372036854775807
HINCRBY h new 1
HINCRBY h a 9223372036854775808
HSET h s foo sp " 1" neg -9223372036854775808
HINCRBY h s 1
HINCRBY h sp 1
HINCRBY h neg -1
HINCRBYFLOAT h a 1.5
HINCRBYFLOAT h a 1e-3
HINCRBYFLOAT h a -0.001
HINCRBYFLOAT h s 1
HINCRBYFLOAT h sp 1
HINCRBYFLOAT h f inf
HINCRBYFLOAT h f -infinity
HINCRBYFLOAT h f nan
HINCRBYFLOAT h f x
HINCRBYFLOAT h f 0x1p-3
HINCRBYFLOAT h f 3.0000000000000001
HINCRBYFLOAT big f 1e308
HINCRBYFLOAT big f 1e308
HGET big f
OBJECT ENCODING big
HRANDFIELD h 0
HRANDFIELD h x
HRANDFIELD h 1 x
HRANDFIELD h 1 WITHVALUES x
HRANDFIELD h -9223372036854775808
HRANDFIELD h 9223372036854775807 WITHVALUES
HRANDFIELD h -4611686018427387904 WITHVALUES
HRANDFIELD nokey
HRANDFIELD nokey 5
HRANDFIELD nokey 5 WITHVALUES
HRANDFIELD h 100
HRANDFIELD h 100 WITHVALUES
HSCAN h 0
HSCAN h 0 MATCH * COUNT 1
HSCAN h 0 MATCH s*
HSCAN h 0 COUNT 0
HSCAN h 0 COUNT x
HSCAN h 0 NOPE 1
HSCAN h x
HSCAN h -1
HSCAN h 18446744073709551615
HSCAN h 18446744073709551616
HSCAN nokey 0 COUNT 0
HDEL h a nofield
HDEL nokey a
OBJECT ENCODING h
SET str x
HSET str a b
HGET str a
HMGET str a
HGETALL str
HKEYS str
HDEL str a
HLEN str
HSTRLEN str a
HEXISTS str a
HSETNX str a b
HINCRBY str a 1
HINCRBYFLOAT str a 1
HRANDFIELD str
HRANDFIELD str 1
HSCAN str 0
HSCAN str x
HDEL h a b c d s sp neg new f nofield
EXISTS h
`
	for _, resp3 := range []bool{false, true} {
		h := d.on(resp3)
		for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
			h.Do(t, collFields(line)...)
		}
		h.Both(t, "FLUSHALL")
	}
}

// collFields splits a script line on spaces; "..." is one argument.
func collFields(line string) []string {
	var out []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if line[0] == '"' {
			q, err := strconv.QuotedPrefix(line)
			if err == nil {
				s, _ := strconv.Unquote(q)
				out = append(out, s)
				line = line[len(q):]
				continue
			}
		}
		i := strings.IndexByte(line, ' ')
		if i < 0 {
			i = len(line)
		}
		out = append(out, line[:i])
		line = line[i:]
	}
	return out
}

// TestHashesEncodings walks hashes across the listpack -> hashtable
// conversion with small limits, comparing OBJECT ENCODING at each step.
func TestHashesEncodings(t *testing.T) {
	d := collDiffStart(t, "--hash-max-listpack-entries", "4", "--hash-max-listpack-value", "8")
	for _, c := range [][]string{
		{"HSET", "a", "f1", "v", "f2", "v", "f3", "v", "f4", "v"},
		{"HSET", "a", "f5", "v"},
		{"HSET", "b", "f", "123456789"},
		{"HSET", "c", "123456789", "v"},
		{"HSET", "d", "f", "12345678"},
		{"HSETNX", "e", "123456789", "v"},
		{"HINCRBY", "f", "123456789", "1"},
		{"HINCRBY", "g", "f", "99999999"},
		{"HINCRBY", "g", "f", "1"},
		{"HINCRBYFLOAT", "i", "f", "1234567.5"},
		{"HINCRBYFLOAT", "i", "f", "0.25"},
		{"HMSET", "j", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"},
		{"CONFIG", "SET", "hash-max-ziplist-entries", "0"},
		{"HSET", "k", "a", "1"},
		{"CONFIG", "SET", "hash-max-listpack-entries", "4"},
		{"CONFIG", "SET", "hash-max-ziplist-value", "0"},
		{"HSET", "l", "", ""},
		{"HSET", "m", "a", ""},
	} {
		d.both(t, c...)
		if c[0] != "CONFIG" {
			d.encodingOf(t, c[1])
			d.both(t, "HGET", c[1], c[2])
		}
	}
	d.both(t, "COPY", "a", "a2")
	d.encodingOf(t, "a2")
	d.both(t, "COPY", "d", "d2")
	d.encodingOf(t, "d2")
	d.h2.DoNorm(t, collSorted(2), "HGETALL", "a2")
}

// hashGen makes random hash commands over a few keys.
type hashGen struct {
	r    *rand.Rand
	long int // length of the long strings: just over hash-max-listpack-value
}

var hashGenKeys = []string{"h0", "h1", "h2", "h3"}

func (g *hashGen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *hashGen) key() string {
	switch g.r.IntN(30) {
	case 0:
		return "str"
	case 1:
		return "nokey"
	}
	return g.pick(hashGenKeys)
}

func (g *hashGen) field() string {
	switch n := g.r.IntN(40); {
	case n < 28:
		return "f" + strconv.Itoa(g.r.IntN(30))
	case n < 36:
		return strconv.Itoa(g.r.IntN(50) - 10)
	case n < 38:
		return ""
	default:
		return strings.Repeat("F", g.long-1+g.r.IntN(3))
	}
}

func (g *hashGen) value() string {
	switch n := g.r.IntN(40); {
	case n < 15:
		return "v" + strconv.Itoa(g.r.IntN(100))
	case n < 28:
		return strconv.Itoa(g.r.IntN(2000) - 1000)
	case n < 31:
		return g.pick([]string{"1.5", "-0.25", "1e3", "0x10", "3.0000000000000001", " 7", "9223372036854775807", "-9223372036854775808", "inf"})
	case n < 33:
		return ""
	default:
		return strings.Repeat("V", g.long-2+g.r.IntN(4))
	}
}

func (g *hashGen) command() []string {
	key := g.key()
	switch g.r.IntN(24) {
	case 0, 1, 2, 3:
		args := []string{g.pick([]string{"HSET", "HSET", "HMSET"}), key}
		for n := 1 + g.r.IntN(4); n > 0; n-- {
			args = append(args, g.field(), g.value())
		}
		return args
	case 4:
		return []string{"HSETNX", key, g.field(), g.value()}
	case 5, 6:
		return []string{"HGET", key, g.field()}
	case 7:
		return []string{"HMGET", key, g.field(), g.field(), g.field()}
	case 8, 9:
		args := []string{"HDEL", key}
		for n := 1 + g.r.IntN(4); n > 0; n-- {
			args = append(args, g.field())
		}
		return args
	case 10:
		return []string{g.pick([]string{"HLEN", "EXISTS", "TYPE"}), key}
	case 11:
		return []string{g.pick([]string{"HSTRLEN", "HEXISTS"}), key, g.field()}
	case 12:
		incr := strconv.Itoa(g.r.IntN(200) - 100)
		if g.r.IntN(10) == 0 {
			incr = g.pick([]string{"9223372036854775807", "-9223372036854775808", "x", "1.5"})
		}
		return []string{"HINCRBY", key, g.field(), incr}
	case 13:
		incr := g.pick([]string{"1", "-1.5", "0.1", "1e2", "-3.25", "0x1p-2", "2.5e-3", "x", "inf", "10"})
		return []string{"HINCRBYFLOAT", key, g.field(), incr}
	case 14, 15:
		return []string{g.pick([]string{"HGETALL", "HKEYS", "HVALS"}), key}
	case 16, 17:
		args := []string{"HRANDFIELD", key}
		if g.r.IntN(4) > 0 {
			args = append(args, strconv.Itoa(g.r.IntN(50)-20))
			if g.r.IntN(2) == 0 {
				args = append(args, "WITHVALUES")
			}
		}
		return args
	case 18:
		args := []string{"HSCAN", key, "0"}
		if g.r.IntN(2) == 0 {
			args = append(args, "MATCH", g.pick([]string{"f1*", "*", "?", "f[0-4]", "-*"}))
		}
		if g.r.IntN(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+g.r.IntN(20)))
		}
		return args
	case 19:
		return []string{"OBJECT", "ENCODING", key}
	case 20:
		if g.r.IntN(4) == 0 {
			return []string{"DEL", key}
		}
		return []string{"COPY", key, g.pick(hashGenKeys), "REPLACE"}
	default:
		return []string{"HSET", key, g.field(), g.value()}
	}
}

// do runs one generated command over RESP2 or RESP3.
func (d *collDuo) hashDo(t *testing.T, resp3 bool, args []string) {
	t.Helper()
	d.log = append(d.log, strings.Join(args, " "))
	h := d.on(resp3)
	switch args[0] {
	case "HGETALL", "HKEYS", "HVALS":
		if d.encodingOf(t, args[1]) == "hashtable" {
			group := 1
			if args[0] == "HGETALL" {
				group = 2
			}
			h.DoNorm(t, collSorted(group), args...)
			return
		}
		h.Do(t, args...)
	case "HRANDFIELD":
		d.hrandfield(t, h, args)
	case "HSCAN":
		d.scan(t, h, args, true)
	default:
		h.Do(t, args...)
	}
}

// TestHashesRandom sends seeded random streams of hash commands to both
// servers, with small limits (frequent listpack -> hashtable conversions)
// and with Redis's defaults.
func TestHashesRandom(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		long int
	}{
		{"small-limits", []string{"--hash-max-listpack-entries", "8", "--hash-max-listpack-value", "16"}, 16},
		{"defaults", nil, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := collDiffStart(t, tc.args...)
			g := &hashGen{r: d.r, long: tc.long}
			d.both(t, "SET", "str", "x")
			for i := range 3000 {
				d.hashDo(t, d.r.IntN(2) == 0, g.command())
				d.failed(t, i)
			}
			for _, k := range hashGenKeys {
				d.hashDo(t, false, []string{"HGETALL", k})
				d.hashDo(t, false, []string{"OBJECT", "ENCODING", k})
			}
		})
	}
}
