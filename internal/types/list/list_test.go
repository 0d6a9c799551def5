package list

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// build returns a list with fill f holding the space-separated words of s;
// the word LARGE stands for large, a value bigger than any node limit (like
// the "largevalue" cases of Redis's tests/unit/type/list.tcl).
func build(t *testing.T, fill int, s string) *List {
	t.Helper()
	l := New(fill, 0)
	for _, w := range strings.Fields(s) {
		if w == "LARGE" {
			w = large
		}
		l.Push(Tail, []byte(w))
	}
	check(t, l)
	return l
}

var large = strings.Repeat("x", 70000)

func check(t *testing.T, l *List) {
	t.Helper()
	if err := l.verify(); err != nil {
		t.Fatalf("invariant: %v", err)
	}
}

func words(l *List) string {
	var b []byte
	for i, v := range l.contents() {
		if i > 0 {
			b = append(b, ' ')
		}
		if string(v) == large {
			v = []byte("LARGE")
		}
		b = append(b, v...)
	}
	return string(b)
}

// variants runs fn against a list of small nodes, default nodes, one entry
// per node, and with a large element in front, as list.tcl does for its
// "quicklist" and "largevalue" cases.
func variants(t *testing.T, fn func(t *testing.T, fill int, prefix string)) {
	for _, fill := range []int{-2, 2, 0} {
		for _, prefix := range []string{"", "LARGE "} {
			t.Run(strconv.Itoa(fill)+"/"+strings.TrimSpace(prefix), func(t *testing.T) {
				fn(t, fill, prefix)
			})
		}
	}
}

// TestParseInt: canonical-integer rule of listpack.c lpStringToInt64.
func TestParseInt(t *testing.T) {
	for _, c := range []struct {
		s  string
		x  int64
		ok bool
	}{
		{"0", 0, true}, {"1", 1, true}, {"-1", -1, true}, {"127", 127, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"-9223372036854775808", math.MinInt64, true},
		{"9223372036854775808", 0, false}, {"-9223372036854775809", 0, false},
		{"18446744073709551616", 0, false}, {"99999999999999999999", 0, false},
		{"", 0, false}, {"-", 0, false}, {"-0", 0, false}, {"00", 0, false},
		{"01", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1 ", 0, false},
		{"1.0", 0, false}, {"1e3", 0, false}, {"0x10", 0, false},
		{"-00000000000000000001", 0, false}, {"123456789012345678901", 0, false},
	} {
		x, ok := parseInt([]byte(c.s))
		if ok != c.ok || x != c.x {
			t.Errorf("parseInt(%q) = %d,%v want %d,%v", c.s, x, ok, c.x, c.ok)
		}
	}
}

func TestEntryEncoding(t *testing.T) {
	type tc struct {
		v    string
		size int // total encoded size
	}
	cases := []tc{
		{"0", 2}, {"127", 2}, {"128", 3}, {"-1", 3}, {"4095", 3}, {"-4096", 3},
		{"4096", 4}, {"-4097", 4}, {"32767", 4}, {"-32768", 4}, {"32768", 5},
		{"8388607", 5}, {"-8388608", 5}, {"8388608", 6}, {"2147483647", 6},
		{"-2147483648", 6}, {"2147483648", 10}, {"-9223372036854775808", 10},
		{"", 2}, {"a", 3}, {"0123456789", 12}, {"abcdefghij", 12},
		{strings.Repeat("s", 63), 65}, {strings.Repeat("s", 64), 67},
		{strings.Repeat("s", 125), 128}, {strings.Repeat("s", 126), 130},
		{strings.Repeat("s", 4095), 4099}, {strings.Repeat("s", 4096), 4103},
		{strings.Repeat("s", 1<<14), 1<<14 + 5 + 3},
		{strings.Repeat("s", 1<<21), 1<<21 + 5 + 4},
	}
	for _, c := range cases {
		v := []byte(c.v)
		x, isInt := parseInt(v)
		sz := entrySize(v, x, isInt)
		if sz != c.size {
			t.Errorf("entrySize(%.20q) = %d want %d", c.v, sz, c.size)
		}
		// Three copies back to back: decode forward and backward.
		buf := make([]byte, 3*sz)
		for i := range 3 {
			putEntry(buf[i*sz:(i+1)*sz], v, x, isInt)
		}
		for i := range 3 {
			e, n := decode(buf, i*sz)
			if n != sz || sizeAt(buf, i*sz) != sz || !bytes.Equal(e.Append(nil), v) || e.IsInt != isInt {
				t.Errorf("decode(%.20q) = %.20q size %d int %v", c.v, e.Append(nil), n, e.IsInt)
			}
			if s := prevStart(buf, (i+1)*sz); s != i*sz {
				t.Errorf("prevStart(%.20q) = %d want %d", c.v, s, i*sz)
			}
		}
	}
	// A 10-byte non-numeric element costs 12 bytes, like a listpack entry.
	if sz := entrySize([]byte("abcdefghij"), 0, false); sz != 12 {
		t.Errorf("10-byte entry costs %d bytes", sz)
	}
}

// TestEncoding: Redis 7.0.15 reports "quicklist" for every list
// (t_list.c pushGenericCommand -> createQuicklistObject; checked with
// redis-server 7.0.15: RPUSH l a; OBJECT ENCODING l -> quicklist).
func TestEncoding(t *testing.T) {
	l := New(-2, 0)
	if l.Encoding() != "quicklist" {
		t.Fatal(l.Encoding())
	}
	l.Push(Tail, []byte("a"))
	if l.Encoding() != "quicklist" {
		t.Fatal(l.Encoding())
	}
}

// TestFill checks node shapes against list-max-listpack-size semantics
// (quicklist.c _quicklistNodeAllowInsert, quicklistSetFill).
func TestFill(t *testing.T) {
	ten := []byte("abcdefghij") // 12 bytes encoded
	for _, c := range []struct {
		fill, n, nodes int
	}{
		{-1, 1000, 3},  // 4096/12 = 341 per node
		{-2, 1000, 2},  // 8192/12 = 682 per node
		{-5, 10000, 2}, // 65536/12 = 5461 per node
		{-7, 10000, 2}, // clamped to -5
		{0, 10, 10},    // one entry per node
		{1, 10, 10},
		{3, 10, 4},
		{128, 1000, 8},
		{10000, 2000, 3}, // count limit above the 8 KiB safety limit
	} {
		for _, where := range []End{Head, Tail} {
			l := New(c.fill, 0)
			for range c.n {
				l.Push(where, ten)
			}
			check(t, l)
			if l.NodeCount() != c.nodes {
				t.Errorf("fill %d, %d pushes at %d: %d nodes want %d", c.fill, c.n, where, l.NodeCount(), c.nodes)
			}
		}
	}
	if New(-100, 0).Fill() != -5 || New(1<<20, 0).Fill() != 1<<15-1 {
		t.Error("fill not clamped to -5..32767")
	}
	if New(-2, 3).CompressDepth() != 3 {
		t.Error("compress depth not recorded")
	}
}

// TestLargeElementOwnNode: an element bigger than the node limit lives alone.
func TestLargeElementOwnNode(t *testing.T) {
	l := build(t, -1, "a b "+strings.Repeat("c ", 5))
	l.Push(Tail, []byte(strings.Repeat("z", 5000)))
	l.Push(Tail, []byte("d"))
	l.Push(Head, []byte(strings.Repeat("y", 5000)))
	check(t, l)
	if l.NodeCount() != 4 {
		t.Fatalf("%d nodes want 4", l.NodeCount())
	}
	var sizes []int
	l.Nodes(func(n Node) bool { sizes = append(sizes, n.Len()); return true })
	if !slices.Equal(sizes, []int{1, 7, 1, 1}) {
		t.Fatalf("node sizes %v", sizes)
	}
}

// LPOS cases from tests/unit/type/list.tcl (Redis 7.0.15).
func TestPos(t *testing.T) {
	variants(t, func(t *testing.T, fill int, prefix string) {
		l := build(t, fill, "a b c 1 2 3 c c")
		off := 0
		if prefix != "" {
			l.Push(Head, []byte(large))
			off = 1
		}
		pos := func(v string, rank, count, maxlen int) []int {
			got := l.Pos(nil, []byte(v), rank, count, maxlen)
			for i := range got {
				got[i] -= off
			}
			return got
		}
		for _, c := range []struct {
			v                   string
			rank, count, maxlen int
			want                []int
		}{
			{"a", 1, 1, 0, []int{0}},
			{"c", 1, 1, 0, []int{2}},
			{"c", 2, 1, 0, []int{6}},
			{"c", 4, 1, 0, nil},
			{"c", -1, 1, 0, []int{7}},
			{"c", -2, 1, 0, []int{6}},
			{"c", 1, 0, 0, []int{2, 6, 7}},
			{"c", 1, 2, 0, []int{2, 6}},
			{"c", 1, 100, 0, []int{2, 6, 7}},
			{"c", 2, 0, 0, []int{6, 7}},
			{"c", -1, 2, 0, []int{7, 6}},
			{"x", -1, 2, 0, nil},
			{"c", 1, 0, 1 + off, nil},
			{"c", 1, 0, 3 + off, []int{2}},
			{"c", -1, 0, 3, []int{7, 6}},
			{"c", 2, 0, 7 + off, []int{6}},
			{"2", 1, 1, 0, []int{4}},
			{"b", 5, 10, 0, nil},
		} {
			if got := pos(c.v, c.rank, c.count, c.maxlen); !slices.Equal(got, c.want) {
				t.Errorf("LPOS %s RANK %d COUNT %d MAXLEN %d = %v want %v", c.v, c.rank, c.count, c.maxlen, got, c.want)
			}
		}
		if off == 0 {
			if got := pos("a", 1, 0, 1); !slices.Equal(got, []int{0}) {
				t.Errorf("LPOS a COUNT 0 MAXLEN 1 = %v", got)
			}
		}
	})
}

// TestPosMinRank: with RANK math.MinInt64, redis-server 7.0.15 negates to
// the same value, scans from the tail and never stops on COUNT:
// RPUSH x 1 2 3 2 1; LPOS x 2 RANK -9223372036854775808 COUNT 1 -> 3 1.
func TestPosMinRank(t *testing.T) {
	l := build(t, -2, "1 2 3 2 1")
	if got := l.Pos(nil, []byte("2"), math.MinInt64, 1, 0); !slices.Equal(got, []int{3, 1}) {
		t.Fatalf("got %v", got)
	}
}

// LREM cases from tests/unit/type/list.tcl (Redis 7.0.15).
func TestRemove(t *testing.T) {
	variants(t, func(t *testing.T, fill int, p string) {
		l := build(t, fill, p+"foo bar foobar foobared zap bar test foo")
		if n := l.Remove(0, []byte("bar")); n != 2 || words(l) != p+"foo foobar foobared zap test foo" {
			t.Fatalf("LREM 0 bar: %d %q", n, words(l))
		}
		if n := l.Remove(1, []byte("foo")); n != 1 || words(l) != p+"foobar foobared zap test foo" {
			t.Fatalf("LREM 1 foo: %d %q", n, words(l))
		}
		if n := l.Remove(1, []byte("nosuchelement")); n != 0 || words(l) != p+"foobar foobared zap test foo" {
			t.Fatalf("LREM 1 nosuchelement: %d %q", n, words(l))
		}
		l = build(t, fill, p+"foo bar foobar foobared zap bar test foo foo")
		if n := l.Remove(-1, []byte("bar")); n != 1 || words(l) != p+"foo bar foobar foobared zap test foo foo" {
			t.Fatalf("LREM -1 bar: %d %q", n, words(l))
		}
		if n := l.Remove(-2, []byte("foo")); n != 2 || words(l) != p+"foo bar foobar foobared zap test" {
			t.Fatalf("LREM -2 foo: %d %q", n, words(l))
		}
		l = build(t, fill, p+"1 2 3")
		if n := l.Remove(1, []byte("2")); n != 1 || l.Len() != len(strings.Fields(p))+2 {
			t.Fatalf("LREM int: %d len %d", n, l.Len())
		}
		check(t, l)
	})
	// count math.MinInt64 removes every occurrence (redis-server 7.0.15:
	// RPUSH x a b a c a; LREM x -9223372036854775808 a -> 3).
	l := build(t, -2, "a b a c a")
	if n := l.Remove(math.MinInt64, []byte("a")); n != 3 || words(l) != "b c" {
		t.Fatalf("LREM MinInt64: %d %q", n, words(l))
	}
}

// LTRIM cases from tests/unit/type/list.tcl (Redis 7.0.15).
func TestTrim(t *testing.T) {
	variants(t, func(t *testing.T, fill int, _ string) {
		for _, c := range []struct {
			start, stop int
			want        string
		}{
			{0, 0, "1"}, {0, 1, "1 2"}, {0, 2, "1 2 3"}, {1, 2, "2 3"},
			{1, -1, "2 3 4 LARGE"}, {1, -2, "2 3 4"}, {-2, -1, "4 LARGE"},
			{-1, -1, "LARGE"}, {-5, -1, "1 2 3 4 LARGE"}, {-10, 10, "1 2 3 4 LARGE"},
			{0, 5, "1 2 3 4 LARGE"}, {0, 10, "1 2 3 4 LARGE"}, {0, -5, "1"}, {0, -6, ""},
			{3, 1, ""}, {5, 10, ""},
		} {
			l := build(t, fill, "1 2 3 4 LARGE")
			removed := l.Trim(c.start, c.stop)
			check(t, l)
			if got := words(l); got != c.want || removed != 5-l.Len() {
				t.Errorf("LTRIM %d %d = %q (removed %d) want %q", c.start, c.stop, got, removed, c.want)
			}
		}
	})
}

// LRANGE cases from tests/unit/type/list.tcl (Redis 7.0.15).
func TestRange(t *testing.T) {
	variants(t, func(t *testing.T, fill int, p string) {
		l := build(t, fill, p+"1 2 3 4 5 6 7 8 9")
		off := len(strings.Fields(p))
		lrange := func(start, stop int, reverse bool) string {
			lo, hi, ok := l.Bounds(start, stop)
			if !ok {
				return ""
			}
			var out []string
			l.Range(lo, hi, reverse, func(e Entry) bool {
				out = append(out, string(e.Append(nil)))
				return true
			})
			return strings.Join(out, " ")
		}
		if got := lrange(1+off, -2, false); got != "2 3 4 5 6 7 8" {
			t.Errorf("LRANGE 1 -2 = %q", got)
		}
		if got := lrange(-3, -1, false); got != "7 8 9" {
			t.Errorf("LRANGE -3 -1 = %q", got)
		}
		if got := lrange(-3, -1, true); got != "9 8 7" {
			t.Errorf("reverse -3 -1 = %q", got)
		}
		if got := lrange(4+off, 4+off, false); got != "5" {
			t.Errorf("LRANGE 4 4 = %q", got)
		}
		if got := lrange(6, 2, false); got != "" {
			t.Errorf("LRANGE 6 2 = %q", got)
		}
		if got := lrange(-1, -2, false); got != "" {
			t.Errorf("LRANGE -1 -2 = %q", got)
		}
		if got := lrange(0, -100, false); got != "" {
			t.Errorf("LRANGE 0 -100 = %q", got)
		}
		if lo, hi, ok := l.Bounds(-1000, 1000); !ok || lo != 0 || hi != l.Len()-1 {
			t.Errorf("Bounds(-1000,1000) = %d %d %v", lo, hi, ok)
		}
	})
}

// LSET and LINDEX cases from tests/unit/type/list.tcl (Redis 7.0.15).
func TestSetIndex(t *testing.T) {
	variants(t, func(t *testing.T, fill int, _ string) {
		l := build(t, fill, "99 98 LARGE 96 95")
		if !l.Set(1, []byte("foo")) || !l.Set(-1, []byte("bar")) {
			t.Fatal("LSET in range failed")
		}
		check(t, l)
		if got := words(l); got != "99 foo LARGE 96 bar" {
			t.Fatalf("after LSET: %q", got)
		}
		if l.Set(10, []byte("foo")) || l.Set(-6, []byte("foo")) {
			t.Fatal("LSET out of range succeeded")
		}
		// Grow an element past the node limit, then shrink it back.
		if !l.Set(0, []byte(large)) || !l.Set(2, []byte("small")) {
			t.Fatal("LSET failed")
		}
		check(t, l)
		if got := words(l); got != "LARGE foo small 96 bar" {
			t.Fatalf("after LSET: %q", got)
		}
		for i, want := range []string{"LARGE", "foo", "small", "96", "bar"} {
			for _, idx := range []int{i, i - 5} {
				e, ok := l.Index(idx)
				got := string(e.Append(nil))
				if got == large {
					got = "LARGE"
				}
				if !ok || got != want {
					t.Errorf("LINDEX %d = %q,%v want %q", idx, got, ok, want)
				}
			}
		}
		if _, ok := l.Index(5); ok {
			t.Error("LINDEX 5 found")
		}
		if _, ok := l.Index(-6); ok {
			t.Error("LINDEX -6 found")
		}
		if e, _ := l.Index(3); !e.IsInt || e.Int != 96 {
			t.Errorf("96 not integer-encoded: %+v", e)
		}
	})
}

// LINSERT cases from tests/unit/type/list.tcl (Redis 7.0.15).
func TestInsert(t *testing.T) {
	variants(t, func(t *testing.T, fill int, _ string) {
		l := build(t, fill, "a LARGE c d")
		steps := []struct {
			after       bool
			pivot, v    string
			ok          bool
			wantContent string
		}{
			{false, "c", "zz", true, "a LARGE zz c d"},
			{true, "c", "yy", true, "a LARGE zz c yy d"},
			{true, "d", "dd", true, "a LARGE zz c yy d dd"},
			{true, "bad", "ddd", false, "a LARGE zz c yy d dd"},
			{false, "a", "aa", true, "aa a LARGE zz c yy d dd"},
			{false, "bad", "aaa", false, "aa a LARGE zz c yy d dd"},
			{false, "aa", "42", true, "42 aa a LARGE zz c yy d dd"},
		}
		for _, s := range steps {
			var ok bool
			if s.after {
				ok = l.InsertAfter([]byte(s.pivot), []byte(s.v))
			} else {
				ok = l.InsertBefore([]byte(s.pivot), []byte(s.v))
			}
			check(t, l)
			if ok != s.ok || words(l) != s.wantContent {
				t.Fatalf("LINSERT %v %s %s = %v %q want %q", s.after, s.pivot, s.v, ok, words(l), s.wantContent)
			}
		}
		if e, _ := l.Index(0); !e.IsInt || e.Int != 42 {
			t.Fatalf("42 not integer-encoded: %+v", e)
		}
	})
}

// TestInsertSplitsFullNode inserts into the middle of full nodes.
func TestInsertSplitsFullNode(t *testing.T) {
	l := New(-1, 0)
	for i := range 2000 {
		l.Push(Tail, []byte("elem-"+strconv.Itoa(i)))
	}
	for i := 0; i < 2000; i += 97 {
		if !l.InsertAfter([]byte("elem-"+strconv.Itoa(i)), []byte(strings.Repeat("n", 200))) {
			t.Fatal("pivot not found")
		}
		check(t, l)
	}
	if l.Len() != 2000+21 {
		t.Fatalf("len %d", l.Len())
	}
}

// TestDelRange follows quicklist.c quicklistDelRange, as used by LPOP/RPOP
// with COUNT and LMPOP (tests/unit/type/list.tcl "LMPOP multiple existing
// lists").
func TestDelRange(t *testing.T) {
	variants(t, func(t *testing.T, fill int, _ string) {
		l := build(t, fill, "a b c d e")
		if n := l.DelRange(0, 2); n != 2 || words(l) != "c d e" {
			t.Fatalf("left count 2: %d %q", n, words(l))
		}
		if n := l.DelRange(-3, 3); n != 3 || l.Len() != 0 {
			t.Fatalf("right count 3: %d %q", n, words(l))
		}
		l = build(t, fill, "1 2 3 4 5")
		if n := l.DelRange(-2, 10); n != 2 || words(l) != "1 2 3" {
			t.Fatalf("DelRange(-2,10): %d %q", n, words(l))
		}
		for _, c := range [][2]int{{3, 1}, {-4, 1}, {0, 0}, {1, -1}} {
			if n := l.DelRange(c[0], c[1]); n != 0 {
				t.Fatalf("DelRange(%d,%d) = %d", c[0], c[1], n)
			}
		}
		if n := l.DelRange(1, 1); n != 1 || words(l) != "1 3" {
			t.Fatalf("DelRange(1,1): %d %q", n, words(l))
		}
		check(t, l)
	})
}

func TestPushPop(t *testing.T) {
	l := New(-2, 0)
	if out, ok := l.Pop(Head, []byte("x")); ok || string(out) != "x" {
		t.Fatal("Pop on empty list")
	}
	buf := []byte("value")
	l.Push(Tail, buf)
	copy(buf, "XXXXX") // the caller's buffer is reused: the list must have copied
	l.PushInt(Head, -77)
	l.Push(Head, []byte("9223372036854775807"))
	if got := words(l); got != "9223372036854775807 -77 value" {
		t.Fatalf("got %q", got)
	}
	out, _ := l.Pop(Tail, nil)
	out, _ = l.Pop(Head, append(out, ','))
	out, _ = l.Pop(Head, append(out, ','))
	if string(out) != "value,9223372036854775807,-77" || l.Len() != 0 || l.NodeCount() != 0 {
		t.Fatalf("got %q len %d nodes %d", out, l.Len(), l.NodeCount())
	}
	check(t, l)
}

// TestMoveSameList is LMOVE/RPOPLPUSH with source == destination: the
// popped bytes must survive the push into the same list.
func TestMoveSameList(t *testing.T) {
	l := build(t, 2, "a b c d e")
	var buf []byte
	for range 7 {
		var ok bool
		buf, ok = l.Pop(Tail, buf[:0])
		if !ok {
			t.Fatal("pop failed")
		}
		l.Push(Head, buf)
	}
	if got := words(l); got != "d e a b c" {
		t.Fatalf("after rotation: %q", got)
	}
	check(t, l)
}

// TestEntryAliasing: Entry.Str is capacity-limited so appending to it cannot
// corrupt the list.
func TestEntryAliasing(t *testing.T) {
	l := build(t, -2, "aaa bbb ccc")
	e, _ := l.Index(0)
	_ = append(e.Str, "ZZZZ"...)
	if got := words(l); got != "aaa bbb ccc" {
		t.Fatalf("list corrupted by append: %q", got)
	}
	if !e.Equal([]byte("aaa")) || e.Equal([]byte("aa")) {
		t.Fatal("Entry.Equal")
	}
	ei, _ := build(t, -2, "12").Index(0)
	if !ei.Equal([]byte("12")) || ei.Equal([]byte("012")) || ei.Equal([]byte("+12")) {
		t.Fatal("Entry.Equal on an integer")
	}
}

func TestCloneAndClear(t *testing.T) {
	l := New(-2, 1)
	for i := range 5000 {
		l.Push(Tail, []byte("v"+strconv.Itoa(i)))
	}
	c := l.Clone()
	check(t, c)
	if !equalContents(c.contents(), l.contents()) || c.Fill() != -2 || c.CompressDepth() != 1 {
		t.Fatal("clone differs")
	}
	l.Set(0, []byte("changed"))
	if e, _ := c.Index(0); string(e.Append(nil)) != "v0" {
		t.Fatal("clone shares memory")
	}
	l.Clear()
	check(t, l)
	if l.Len() != 0 || l.MemoryUsage() != New(-2, 0).MemoryUsage() {
		t.Fatal("Clear left state behind")
	}
	l.Push(Head, []byte("again"))
	check(t, l)
}

func TestMemoryUsage(t *testing.T) {
	l := New(-2, 0)
	empty := l.MemoryUsage()
	const n = 100000
	for i := range n {
		l.Push(Tail, []byte("abcdefghij"))
		_ = i
	}
	per := float64(l.MemoryUsage()-empty) / n
	if per < 12 || per > 13 {
		t.Errorf("MemoryUsage per 10-byte element = %.2f, want 12..13", per)
	}
	if c := l.Clone(); c.MemoryUsage() > l.MemoryUsage() {
		t.Errorf("clone uses more: %d > %d", c.MemoryUsage(), l.MemoryUsage())
	}
	l.Trim(0, 9)
	if got := l.MemoryUsage(); got > empty+1024 {
		t.Errorf("after LTRIM to 10 elements MemoryUsage = %d", got)
	}
	for l.Len() > 0 {
		l.Pop(Head, nil)
	}
	if got := l.MemoryUsage(); got != empty {
		t.Errorf("after popping all MemoryUsage = %d want %d", got, empty)
	}
}

// TestRemoveMergesNodes: sparse nodes left by LREM are merged.
func TestRemoveMergesNodes(t *testing.T) {
	l := New(-2, 0)
	for i := range 10000 {
		if i%10 == 0 {
			l.Push(Tail, []byte("keep-this"))
		} else {
			l.Push(Tail, []byte("drop-this"))
		}
	}
	before := l.NodeCount()
	if n := l.Remove(0, []byte("drop-this")); n != 9000 {
		t.Fatalf("removed %d", n)
	}
	check(t, l)
	if l.NodeCount() > before/5 {
		t.Errorf("nodes %d -> %d: not merged", before, l.NodeCount())
	}
}

func TestNoAllocs(t *testing.T) {
	l := New(-2, 0)
	for i := range 10000 {
		l.Push(Tail, strconv.AppendInt([]byte("x"), int64(i), 10))
		l.PushInt(Tail, int64(i))
	}
	v := []byte("some-value")
	var buf []byte
	dst := make([]int, 0, 16)
	for name, fn := range map[string]func(){
		"Index": func() { l.Index(12345) },
		"Range": func() { l.Range(100, 5000, true, func(Entry) bool { return true }) },
		"Iter": func() {
			it := l.Iter(-3000, false)
			for _, ok := it.Next(); ok; _, ok = it.Next() {
			}
		},
		"Pos":      func() { dst = l.Pos(dst[:0], []byte("x19999"), -1, 1, 0) },
		"PushPop":  func() { l.Push(Head, v); buf, _ = l.Pop(Head, buf[:0]); l.Push(Tail, v); buf, _ = l.Pop(Tail, buf[:0]) },
		"SetSmall": func() { l.Set(5000, []byte("x2500")) },
	} {
		if a := testing.AllocsPerRun(100, fn); a != 0 {
			t.Errorf("%s: %.1f allocs per run", name, a)
		}
	}
}
