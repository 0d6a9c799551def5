package diff

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Differential tests of the keyspace and expire commands (Redis's db.c,
// expire.c, object.c; Cinnabar's internal/command/keys.go, expire.go,
// object.go) and of the glob matcher behind KEYS and SCAN MATCH.
//
// What Redis leaves unspecified is normalised: KEYS and SCAN are compared
// as sorted sets of keys (a whole SCAN iteration on each server), RANDOMKEY
// by reply type only, and the TTL family within a tolerance because the
// two servers read their clocks at slightly different times.

// TestKeysFixed compares replies on fixed command lists: errors, options
// and corner cases.
func TestKeysFixed(t *testing.T) {
	h := Start(t)
	cmds := [][]string{
		{"FLUSHALL"},
		{"SET", "a", "1"}, {"SET", "s", "hello"}, {"SET", "r", strings.Repeat("r", 50)},
		{"SET", "e", ""}, {"SET", "neg", "-5"}, {"SET", "big", "10000"},
		{"RPUSH", "l", "x", "y"},
		{"DEL"}, {"EXISTS"}, {"TOUCH"}, {"UNLINK"}, {"TYPE"}, {"TYPE", "a", "b"},
		{"EXISTS", "a", "a", "s", "nokey"}, {"TOUCH", "a", "nokey", "s"},
		{"TYPE", "a"}, {"TYPE", "l"}, {"TYPE", "nokey"},
		{"MOVE", "a", "99999999999"}, {"MOVE", "a", "16"}, {"MOVE", "a", "-1"}, {"MOVE", "a", "x"},
		{"MOVE", "a", "0"}, {"MOVE", "nokey", "1"}, {"MOVE", "a"},
		{"SWAPDB", "x", "1"}, {"SWAPDB", "0", "x"}, {"SWAPDB", "0", "99999999999"}, {"SWAPDB", "99999999999", "0"},
		{"SWAPDB", "0", "16"}, {"SWAPDB", "-1", "0"}, {"SWAPDB", "1", "1"}, {"SWAPDB", "0"},
		{"COPY", "a", "b", "DB", "99999999999"}, {"COPY", "a", "b", "DB", "16"}, {"COPY", "a", "a"},
		{"COPY", "a", "a", "DB", "0"}, {"COPY", "a", "b", "DB"}, {"COPY", "a", "b", "foo"}, {"COPY", "a"},
		{"COPY", "nokey", "b"}, {"COPY", "a", "a", "DB", "1"}, {"COPY", "a", "s"}, {"COPY", "a", "s", "REPLACE", "REPLACE"},
		// (no OBJECT REFCOUNT of the copy: Redis's copy of a shared integer
		// is unshared, refcount 1; Cinnabar does not track sharing)
		{"GET", "s"}, {"OBJECT", "ENCODING", "s"},
		{"SCAN", "x"}, {"SCAN", "18446744073709551616"}, {"SCAN", " 1"}, {"SCAN", "1 "}, {"SCAN", "-"},
		{"SCAN", "+"}, {"SCAN", "0x1"}, {"SCAN", "0", "COUNT", "0"}, {"SCAN", "0", "COUNT", "x"},
		{"SCAN", "0", "COUNT", "-1"}, {"SCAN", "0", "MATCH"}, {"SCAN", "0", "TYPE"}, {"SCAN", "0", "FOO", "x"},
		{"SCAN", "0", "COUNT", "99999999999999999999"}, {"SCAN"},
		{"EXPIRE", "a", "10", "foo"}, {"EXPIRE", "a", "10", "nx", "xx"}, {"EXPIRE", "a", "10", "gt", "lt"},
		{"EXPIRE", "a", "10", "nx", "gt"}, {"EXPIRE", "a", "10", "lt", "nx"}, {"EXPIRE", "a", "x", "foo"},
		{"EXPIRE", "a", "9223372036854775807"}, {"PEXPIRE", "a", "9223372036854775807"},
		{"EXPIRE", "a", "-9223372036854775808"}, {"EXPIRE", "a", ""}, {"EXPIRE", "a", "1.5"},
		{"EXPIRE", "a", "9223370399119966"}, {"EXPIRE", "a", "9223372036854776"}, {"EXPIRE", "a", "-9223372036854776"},
		{"EXPIREAT", "a", "9223372036854776"}, {"PEXPIREAT", "a", "9223372036854775807", "XX"},
		{"EXPIRE", "a", "10", "Ab\x00cd"}, {"EXPIRE"}, {"TTL"}, {"PERSIST"},
		{"EXPIREAT", "s", "4000000000"}, {"EXPIRETIME", "s"}, {"PEXPIRETIME", "s"},
		{"PEXPIREAT", "s", "4000000000499"}, {"EXPIRETIME", "s"}, {"PEXPIREAT", "s", "4000000000500"}, {"EXPIRETIME", "s"},
		{"EXPIREAT", "s", "4000000001", "GT"}, {"EXPIREAT", "s", "4000000001", "GT"}, {"EXPIREAT", "s", "3000000000", "GT"},
		{"EXPIREAT", "s", "3000000000", "LT"}, {"EXPIREAT", "s", "3000000000", "NX"}, {"EXPIREAT", "s", "3000000000", "XX"},
		{"PEXPIRETIME", "s"}, {"PERSIST", "s"}, {"PERSIST", "s"}, {"PEXPIRETIME", "s"},
		{"EXPIREAT", "s", "3000000000", "GT"}, {"EXPIREAT", "s", "3000000000", "LT", "XX"}, {"EXPIREAT", "s", "3000000000", "LT"},
		{"EXPIRETIME", "s"}, {"PEXPIREAT", "s", "9223372036854770000"}, {"PEXPIRETIME", "s"}, {"EXPIRETIME", "s"},
		{"PEXPIREAT", "s", "-9223372036854770000"}, {"EXISTS", "s"}, {"TTL", "s"},
		{"SET", "s", "v"}, {"EXPIRE", "s", "-10", "LT"}, {"TTL", "s"}, {"SET", "s", "v"}, {"EXPIRE", "s", "0"},
		{"EXISTS", "s"}, {"SET", "s", "v"}, {"PEXPIREAT", "s", "1"}, {"EXISTS", "s"},
		{"EXPIRE", "none", "100", "NX"}, {"EXPIRE", "none", "100", "XX"}, {"EXPIRE", "none", "100", "GT"},
		{"EXPIRE", "none", "100", "LT"}, {"TTL", "none"}, {"PTTL", "none"}, {"EXPIRETIME", "none"}, {"PEXPIRETIME", "none"},
		{"TTL", "a"}, {"PTTL", "a"}, {"EXPIRETIME", "a"}, {"PEXPIRETIME", "a"}, {"PERSIST", "a"}, {"PERSIST", "none"},
		{"OBJECT"}, {"OBJECT", "foo", "a"}, {"OBJECT", "HELP"}, {"OBJECT", "help", "x"}, {"OBJECT", "ENCODING"},
		{"OBJECT", "ENCODING", "a", "b"}, {"OBJECT", "FREQ", "a"}, {"OBJECT", "FREQ", "nokey"},
		{"OBJECT", "IDLETIME", "nokey"}, {"OBJECT", "REFCOUNT", "nokey"}, {"OBJECT", "ENCODING", "nokey"},
		{"OBJECT", "ENCODING", "a"}, {"OBJECT", "ENCODING", "r"}, {"OBJECT", "ENCODING", "e"}, {"OBJECT", "ENCODING", "l"},
		{"OBJECT", "REFCOUNT", "a"}, {"OBJECT", "REFCOUNT", "neg"}, {"OBJECT", "REFCOUNT", "big"}, {"OBJECT", "REFCOUNT", "l"},
		{"OBJECT", "IDLETIME", "a"},
		{"FLUSHDB", "foo"}, {"FLUSHALL", "sync", "x"}, {"FLUSHDB", "SYNC", "ASYNC"},
		{"RENAME", "nokey", "b"}, {"RENAMENX", "nokey", "nokey"}, {"RENAME", "nokey", "nokey"}, {"RENAME", "a"},
		{"RENAME", "l", "l"}, {"RENAMENX", "l", "l"}, {"RENAMENX", "l", "a"}, {"RENAME", "l", "l2"}, {"LRANGE", "l2", "0", "-1"},
		{"RENAME", "r", "a"}, {"GET", "a"}, {"OBJECT", "ENCODING", "a"},
		{"SET", "x", "ab"}, {"APPEND", "x", "c"}, {"OBJECT", "ENCODING", "x"}, {"RENAME", "x", "y"}, {"OBJECT", "ENCODING", "y"},
		{"COPY", "y", "z"}, {"OBJECT", "ENCODING", "z"}, {"COPY", "big", "big2"}, {"OBJECT", "ENCODING", "big2"},
		{"MOVE", "y", "2"}, {"SELECT", "2"}, {"OBJECT", "ENCODING", "y"}, {"TTL", "y"}, {"SELECT", "0"},
		{"SET", "t", "v"}, {"EXPIREAT", "t", "4000000000"}, {"MOVE", "t", "1"}, {"COPY", "neg", "t", "DB", "1"},
		{"SELECT", "1"}, {"EXPIRETIME", "t"}, {"COPY", "t", "t", "DB", "0"}, {"SELECT", "0"}, {"EXPIRETIME", "t"},
		{"SET", "u", "v"}, {"EXPIREAT", "u", "4000000000"}, {"SET", "w", "x"}, {"RENAME", "w", "u"}, {"TTL", "u"},
		{"EXPIREAT", "u", "4000000000"}, {"RENAME", "u", "w"}, {"EXPIRETIME", "w"},
		{"DBSIZE"}, {"DBSIZE", "x"}, {"RANDOMKEY", "x"}, {"KEYS"}, {"KEYS", "a", "b"},
		{"SWAPDB", "0", "1"}, {"DBSIZE"}, {"SWAPDB", "1", "0"}, {"DBSIZE"},
		{"DEL", "a", "a", "nokey", "s"}, {"UNLINK", "z", "z2", "big"},
		{"KEYS", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b"},
		{"FLUSHDB", "ASYNC"}, {"DBSIZE"}, {"SELECT", "1"}, {"DBSIZE"}, {"FLUSHALL", "SYNC"}, {"DBSIZE"},
		{"RANDOMKEY"}, {"KEYS", "*"}, {"SCAN", "0"}, {"SELECT", "0"},
	}
	for _, c := range cmds {
		h.Do(t, c...)
	}
	// Stale keys: a key that expired is gone for every command.
	for _, c := range [][]string{{"SET", "gone", "v"}, {"SET", "gone2", "v"}, {"PEXPIRE", "gone", "1"}, {"PEXPIRE", "gone2", "1"}} {
		h.Do(t, c...)
	}
	keysSleepMs(5)
	for _, c := range [][]string{
		{"EXISTS", "gone"}, {"TYPE", "gone"}, {"TTL", "gone"}, {"RENAME", "gone", "x"}, {"MOVE", "gone", "1"},
		{"COPY", "gone", "x"}, {"OBJECT", "ENCODING", "gone"}, {"KEYS", "gone*"}, {"SCAN", "0"}, {"RANDOMKEY"},
		{"DEL", "gone2"}, {"DBSIZE"},
	} {
		h.Do(t, c...)
	}
}

// keysSleepMs lets keys set with a 1 ms expire lapse on both servers:
// the real redis-server reads the wall clock, so here (unlike the
// servertest tests, which move a manual clock) a few ms must pass.
func keysSleepMs(ms int) { time.Sleep(time.Duration(ms) * time.Millisecond) }

// TestKeysRandom runs a seeded random stream of keyspace and expire
// commands on both servers and compares every reply (DIFF_SEED=n replays).
func TestKeysRandom(t *testing.T) {
	h := Start(t)
	r := h.Rand()
	g := &keysGen{r: r}
	h.Do(t, "FLUSHALL")
	steps := 3000
	if testing.Short() {
		steps = 600
	}
	for i := 0; i < steps; i++ {
		args := g.command()
		switch strings.ToUpper(args[0]) {
		case "KEYS":
			keysCompareSets(t, h, args, keysFromKeys)
		case "SCAN":
			keysCompareScan(t, h, args[1:])
		case "RANDOMKEY":
			rr, cr := h.Both(t, args...)
			if (rr[0] == '$' && rr[1] == '-') != (cr[0] == '$' && cr[1] == '-') || rr[0] != cr[0] {
				t.Errorf("step %d %q:\n redis:    %q\n cinnabar: %q", i, args, rr, cr)
			}
		case "TTL", "EXPIRETIME":
			keysCompareTolerant(t, h, args, 1)
		case "PTTL", "PEXPIRETIME":
			keysCompareTolerant(t, h, args, 1000)
		default:
			h.Do(t, args...)
		}
		if t.Failed() {
			t.Fatalf("stopped at step %d (seed %d)", i, h.Seed)
		}
	}
	// Final state: every database holds the same keys and values.
	for db := 0; db < 3; db++ {
		h.Do(t, "SELECT", strconv.Itoa(db))
		t.Logf("db %d: %s keys", db, bytes.TrimSpace(h.Do(t, "DBSIZE")))
		keysCompareSets(t, h, []string{"KEYS", "*"}, keysFromKeys)
		for _, k := range append(append([]string{}, keysStrNames...), keysListNames...) {
			h.Do(t, "TYPE", k)
			h.Do(t, "OBJECT", "ENCODING", k)
			keysCompareTolerant(t, h, []string{"PTTL", k}, 1000)
		}
		for _, k := range keysStrNames {
			h.Do(t, "GET", k)
		}
	}
}

var (
	keysStrNames  = []string{"k1", "k2", "k3", "k4", "k5", "k6", "key:a", "key:b", "kx", "{k}", "K1", "k*"}
	keysListNames = []string{"l1", "l2", "l3"}
)

// keysGen generates the random stream. String keys and list keys are kept
// apart (COPY only ever reads strings), so that the stream stays within
// what both servers implement.
type keysGen struct{ r *rand.Rand }

func (g *keysGen) pick(s []string) string { return s[g.r.IntN(len(s))] }
func (g *keysGen) n(lo, hi int) string    { return strconv.Itoa(lo + g.r.IntN(hi-lo+1)) }

func (g *keysGen) strKey() string  { return g.pick(keysStrNames) }
func (g *keysGen) listKey() string { return g.pick(keysListNames) }

// anyKey is a key of either kind; pair returns two keys of one kind.
func (g *keysGen) anyKey() string {
	if g.r.IntN(4) == 0 {
		return g.listKey()
	}
	return g.strKey()
}

func (g *keysGen) pair() (string, string) {
	if g.r.IntN(4) == 0 {
		return g.listKey(), g.listKey()
	}
	return g.strKey(), g.strKey()
}

func (g *keysGen) value() string {
	switch g.r.IntN(6) {
	case 0:
		return g.n(0, 12000) // shared and non-shared integers
	case 1:
		return g.n(-100, 100)
	case 2:
		return strings.Repeat("v", g.r.IntN(60)) // embstr and raw by length
	case 3:
		return "007"
	default:
		return "val" + g.n(0, 9)
	}
}

// flags returns expire flags, valid combinations mostly.
func (g *keysGen) flags(gtlt bool) []string {
	opts := []string{"NX", "XX"}
	if gtlt {
		opts = append(opts, "GT", "LT")
	}
	switch g.r.IntN(8) {
	case 0, 1, 2:
		return nil
	case 3:
		return []string{g.pick(opts), g.pick(opts)} // may conflict
	case 4:
		if g.r.IntN(4) == 0 {
			return []string{"BAD"}
		}
	}
	return []string{strings.ToLower(g.pick(opts))}
}

// absSeconds is an absolute time far in the past or future, so that the
// servers' clocks do not matter.
func (g *keysGen) absSeconds() int64 {
	if g.r.IntN(3) == 0 {
		return 1 + g.r.Int64N(1_000_000_000) // before 2002
	}
	return 4_000_000_000 + g.r.Int64N(1_000_000_000) // after 2096
}

func (g *keysGen) command() []string {
	db := g.n(0, 2)
	switch g.r.IntN(34) {
	case 0, 1, 2, 3:
		return []string{"SET", g.strKey(), g.value()}
	case 4:
		return []string{"RPUSH", g.listKey(), g.value(), g.value()}
	case 5:
		return []string{"APPEND", g.strKey(), g.value()}
	case 6:
		return []string{"GET", g.strKey()}
	case 7:
		return append([]string{g.pick([]string{"DEL", "UNLINK"})}, g.anyKey(), g.anyKey())
	case 8:
		return []string{g.pick([]string{"EXISTS", "TOUCH"}), g.anyKey(), g.anyKey(), g.anyKey()}
	case 9:
		return []string{"TYPE", g.anyKey()}
	case 10, 11:
		a, b := g.pair()
		return []string{g.pick([]string{"RENAME", "RENAMENX"}), a, b}
	case 12:
		return []string{"MOVE", g.anyKey(), db}
	case 13, 14:
		args := []string{"COPY", g.strKey(), g.strKey()}
		if g.r.IntN(2) == 0 {
			args = append(args, "DB", db)
		}
		if g.r.IntN(2) == 0 {
			args = append(args, "REPLACE")
		}
		return args
	case 15, 16:
		// Relative expires: far enough ahead not to lapse during the test,
		// or in the past (the key is deleted). No GT/LT: with relative
		// times their outcome depends on when each server reads its clock.
		cmd := g.pick([]string{"EXPIRE", "PEXPIRE"})
		var v int64
		switch g.r.IntN(4) {
		case 0:
			v = -g.r.Int64N(1000)
		default:
			v = 1000 + g.r.Int64N(100000)
		}
		if cmd == "PEXPIRE" && v > 0 {
			v *= 1000
		}
		return append([]string{cmd, g.anyKey(), strconv.FormatInt(v, 10)}, g.flags(false)...)
	case 17, 18, 19:
		cmd := g.pick([]string{"EXPIREAT", "PEXPIREAT"})
		v := g.absSeconds()
		if cmd == "PEXPIREAT" {
			v = v*1000 + g.r.Int64N(1000)
		}
		return append([]string{cmd, g.anyKey(), strconv.FormatInt(v, 10)}, g.flags(true)...)
	case 20, 21:
		return []string{g.pick([]string{"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}), g.anyKey()}
	case 22:
		return []string{"PERSIST", g.anyKey()}
	case 23:
		return []string{"KEYS", g.pick([]string{"*", "k*", "k?", "key:*", "[kl][0-9]", "*1", "\\{k\\}", "k\\*", "[^k]*", "K*"})}
	case 24:
		args := []string{"SCAN"}
		if g.r.IntN(2) == 0 {
			args = append(args, "MATCH", g.pick([]string{"k*", "l?", "*", "key:[ab]"}))
		}
		if g.r.IntN(2) == 0 {
			args = append(args, "COUNT", g.n(1, 20))
		}
		if g.r.IntN(3) == 0 {
			args = append(args, "TYPE", g.pick([]string{"string", "list", "LIST", "hash"}))
		}
		return args
	case 25:
		return []string{"RANDOMKEY"}
	case 26:
		return []string{"DBSIZE"}
	case 27:
		return []string{"SELECT", db}
	case 28:
		if g.r.IntN(4) == 0 {
			return []string{"SWAPDB", db, g.n(0, 2)}
		}
		return []string{"DBSIZE"}
	case 29:
		if g.r.IntN(10) == 0 {
			return []string{g.pick([]string{"FLUSHDB", "FLUSHALL"}), g.pick([]string{"SYNC", "ASYNC"})}
		}
		return []string{"EXISTS", g.anyKey()}
	case 30, 31:
		return []string{"OBJECT", "ENCODING", g.anyKey()}
	case 32:
		// No OBJECT REFCOUNT here: a COPY of a shared integer has refcount
		// 1 in Redis, and Cinnabar does not track sharing (TestKeysFixed
		// checks REFCOUNT of values SET directly).
		return []string{"SET", g.strKey(), g.value()}
	default:
		return []string{"LRANGE", g.listKey(), "0", "-1"}
	}
}

// keysCompareTolerant compares integer replies that may differ by up to
// tol because each server reads its own clock (positive values only).
func keysCompareTolerant(t *testing.T, h *Harness, args []string, tol int64) {
	t.Helper()
	rr, cr := h.Both(t, args...)
	if bytes.Equal(rr, cr) {
		return
	}
	a, errA := keysInt(rr)
	b, errB := keysInt(cr)
	if errA || errB || a < 0 || b < 0 || a-b > tol || b-a > tol {
		t.Errorf("%q:\n redis:    %q\n cinnabar: %q", args, rr, cr)
	}
}

func keysInt(raw []byte) (int64, bool) {
	if len(raw) < 4 || raw[0] != ':' {
		return 0, true
	}
	n, err := strconv.ParseInt(string(raw[1:len(raw)-2]), 10, 64)
	return n, err != nil
}

// keysFromKeys parses a KEYS reply into a sorted list.
func keysFromKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(raw))
	keys, err := keysReadArray(r)
	if err != nil {
		t.Fatalf("bad array %q: %v", raw, err)
	}
	sort.Strings(keys)
	return keys
}

// keysReadArray reads an array of bulk strings (RESP2).
func keysReadArray(r *bufio.Reader) ([]string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if line[0] != '*' {
		return []string{"!" + strings.TrimSpace(line)}, nil // an error or other reply
	}
	n, err := strconv.Atoi(strings.TrimSpace(line[1:]))
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		hdr, err := r.ReadString('\n')
		if err != nil {
			return nil, err
		}
		l, err := strconv.Atoi(strings.TrimSpace(hdr[1:]))
		if err != nil {
			return nil, err
		}
		b := make([]byte, l+2)
		if _, err := readFull(r, b); err != nil {
			return nil, err
		}
		out = append(out, string(b[:l]))
	}
	return out, nil
}

func readFull(r *bufio.Reader, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := r.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// keysCompareSets sends args to both and compares the parsed, sorted keys.
func keysCompareSets(t *testing.T, h *Harness, args []string, parse func(*testing.T, []byte) []string) {
	t.Helper()
	rr, cr := h.Both(t, args...)
	a, b := parse(t, rr), parse(t, cr)
	if strings.Join(a, "\x00") != strings.Join(b, "\x00") {
		t.Errorf("%q:\n redis:    %q\n cinnabar: %q", args, a, b)
	}
}

// keysScanAll runs a whole SCAN iteration with opts on one server and
// returns the sorted set of keys, or the error reply.
func keysScanAll(t *testing.T, p *Peer, opts []string) []string {
	t.Helper()
	seen := map[string]bool{}
	cursor := "0"
	for i := 0; ; i++ {
		if i > 10000 {
			t.Fatalf("%s: SCAN does not terminate", p.Addr)
		}
		raw := p.Send(t, Encode(nil, append([]string{"SCAN", cursor}, opts...)...), 1)[0]
		if raw[0] == '-' {
			return []string{"!" + string(raw)}
		}
		r := bufio.NewReader(bytes.NewReader(raw))
		if _, err := r.ReadString('\n'); err != nil { // *2
			t.Fatal(err)
		}
		cur, err := keysReadBulk(r)
		if err != nil {
			t.Fatal(err)
		}
		keys, err := keysReadArray(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			seen[k] = true
		}
		cursor = cur
		if cursor == "0" {
			break
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func keysReadBulk(r *bufio.Reader) (string, error) {
	hdr, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	l, err := strconv.Atoi(strings.TrimSpace(hdr[1:]))
	if err != nil {
		return "", err
	}
	b := make([]byte, l+2)
	if _, err := readFull(r, b); err != nil {
		return "", err
	}
	return string(b[:l]), nil
}

func keysCompareScan(t *testing.T, h *Harness, opts []string) {
	t.Helper()
	a := keysScanAll(t, h.Redis, opts)
	b := keysScanAll(t, h.Cinnabar, opts)
	if strings.Join(a, "\x00") != strings.Join(b, "\x00") {
		t.Errorf("SCAN %q:\n redis:    %q\n cinnabar: %q", opts, a, b)
	}
}

// TestKeysGlob compares KEYS and SCAN MATCH with random glob patterns over
// keys made of the bytes the matcher treats specially (Redis's
// stringmatchlen, src/util.c), high bytes included.
func TestKeysGlob(t *testing.T) {
	h := Start(t)
	r := h.Rand()
	alphabet := []byte("ab-]^\\[*?A\xff\x80")
	patAlphabet := []byte("ab-]^\\[*?A\xff\x80**[[")
	h.Do(t, "FLUSHALL")
	seen := map[string]bool{}
	for len(seen) < 150 {
		n := 1 + r.IntN(5)
		k := make([]byte, n)
		for i := range k {
			k[i] = alphabet[r.IntN(len(alphabet))]
		}
		if seen[string(k)] {
			continue
		}
		seen[string(k)] = true
		h.Do(t, "SET", string(k), "v")
	}
	rounds := 400
	if testing.Short() {
		rounds = 100
	}
	for i := 0; i < rounds; i++ {
		n := 1 + r.IntN(7)
		p := make([]byte, n)
		for j := range p {
			p[j] = patAlphabet[r.IntN(len(patAlphabet))]
		}
		keysCompareSets(t, h, []string{"KEYS", string(p)}, keysFromKeys)
		if i%8 == 0 {
			keysCompareScan(t, h, []string{"MATCH", string(p), "COUNT", "7"})
		}
		if t.Failed() {
			t.Fatalf("stopped at round %d (seed %d)", i, h.Seed)
		}
	}
	// Deep nesting: the limit of 1000 nested '*' (CVE-2024-31228).
	long := strings.Repeat("a", 1100)
	h.Do(t, "SET", long, "v")
	for _, n := range []int{1000, 1001} {
		keysCompareSets(t, h, []string{"KEYS", "a" + strings.Repeat("*a", n)}, keysFromKeys)
	}
}
