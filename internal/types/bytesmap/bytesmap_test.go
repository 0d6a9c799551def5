package bytesmap

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// newRand returns a seeded generator and logs the seed so a failure can be
// replayed.
func newRand(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed>>1|1))
}

// check verifies every structural invariant of m against the model.
func check(t testing.TB, m *Map, model map[string]string) {
	t.Helper()
	if m.Len() != len(model) {
		t.Fatalf("Len = %d, model has %d", m.Len(), len(model))
	}
	if len(m.dir) != 1<<m.depth {
		t.Fatalf("dir has %d entries at depth %d", len(m.dir), m.depth)
	}
	refs := map[uint64]int{}
	total := 0
	for i, tb := range m.dir {
		if uint64(i)>>(m.depth-tb.d) != tb.prefix {
			t.Fatalf("dir[%d] points at table with prefix %d/%d", i, tb.prefix, tb.d)
		}
	}
	m.rangeTables(func(tb *table) {
		if len(tb.slots) != 1<<tb.s || tb.s < minTableBits || tb.s > maxTableBits {
			t.Fatalf("table size %d s=%d", len(tb.slots), tb.s)
		}
		if tb.n*growDen > len(tb.slots)*growNum {
			t.Fatalf("table over full: %d/%d", tb.n, len(tb.slots))
		}
		n := 0
		mask := len(tb.slots) - 1
		for i, sl := range tb.slots {
			if sl == 0 {
				continue
			}
			n++
			loc := sl & locMask
			refs[loc]++
			key, _ := m.entry(loc)
			h := m.hash(key)
			if m.tableFor(h) != tb {
				t.Fatalf("key %q in the wrong table", key)
			}
			if h>>locBits != sl>>locBits {
				t.Fatalf("key %q has a wrong tag", key)
			}
			for j := tb.home(h); j != i; j = (j + 1) & mask {
				if tb.slots[j] == 0 {
					t.Fatalf("key %q unreachable: hole at %d before %d", key, j, i)
				}
			}
		}
		if n != tb.n {
			t.Fatalf("table counts %d entries, has %d", tb.n, n)
		}
		total += n
	})
	if total != m.n {
		t.Fatalf("tables hold %d entries, map counts %d", total, m.n)
	}
	live := 0
	for c, ch := range m.chunks {
		dead := 0
		for off := 0; off < len(ch); {
			key, val, size, isDead := m.parse(ch, off)
			loc := uint64(c+1)<<chunkBits | uint64(off)
			if isDead {
				dead += size
				if refs[loc] != 0 {
					t.Fatalf("slot refers to dead entry %q", key)
				}
			} else {
				live++
				if refs[loc] != 1 {
					t.Fatalf("live entry %q has %d slots", key, refs[loc])
				}
				want, ok := model[string(key)]
				if !ok {
					t.Fatalf("map holds %q, model does not", key)
				}
				if m.values && want != string(val) {
					t.Fatalf("value of %q is %q, want %q", key, val, want)
				}
			}
			off += size
		}
		if dead != m.dead[c] {
			t.Fatalf("chunk %d: %d dead bytes, accounted %d", c, dead, m.dead[c])
		}
		if dead*2 > len(ch) {
			t.Fatalf("chunk %d more than half dead (%d/%d)", c, dead, len(ch))
		}
	}
	if live != m.n {
		t.Fatalf("%d live entries, map counts %d", live, m.n)
	}
	for k, v := range model {
		got, ok := m.Get([]byte(k))
		if !ok || (m.values && string(got) != v) {
			t.Fatalf("Get(%q) = %q, %v; want %q", k, got, ok, v)
		}
	}
}

func TestBasic(t *testing.T) {
	m := New(true, 0)
	if !m.Set([]byte("a"), []byte("1")) {
		t.Fatal("Set of a new key reported an update")
	}
	if m.Set([]byte("a"), []byte("2")) {
		t.Fatal("Set of an existing key reported an add")
	}
	if v, ok := m.Get([]byte("a")); !ok || string(v) != "2" {
		t.Fatalf("Get = %q %v", v, ok)
	}
	if m.SetNX([]byte("a"), []byte("3")) {
		t.Fatal("SetNX overwrote")
	}
	if !m.SetNX([]byte(""), []byte("")) {
		t.Fatal("SetNX of empty key failed")
	}
	if v, ok := m.Get([]byte("")); !ok || len(v) != 0 {
		t.Fatalf("Get(empty) = %q %v", v, ok)
	}
	if _, ok := m.Get([]byte("b")); ok {
		t.Fatal("Get of a missing key succeeded")
	}
	if m.Delete([]byte("b")) || !m.Delete([]byte("a")) || m.Has([]byte("a")) {
		t.Fatal("Delete")
	}
	check(t, m, map[string]string{"": ""})
}

func TestSetMode(t *testing.T) {
	m := New(false, 0)
	if !m.Add([]byte("x")) || m.Add([]byte("x")) {
		t.Fatal("Add")
	}
	if v, ok := m.Get([]byte("x")); !ok || v != nil {
		t.Fatalf("Get in set mode = %q %v", v, ok)
	}
	m.Set([]byte("y"), []byte("ignored"))
	check(t, m, map[string]string{"x": "", "y": ""})
}

// TestModel runs random operations against a Go map, across table growth,
// splits, merges, big entries and chunk compaction.
func TestModel(t *testing.T) {
	r := newRand(t)
	for _, tc := range []struct {
		values bool
		keys   int
		ops    int
		rehash bool // never trust slot tags: recompute hashes from keys
	}{{true, 50, 3000, false}, {true, 3000, 20000, false}, {false, 20000, 60000, false},
		{true, 40000, 150000, false}, {true, 12000, 60000, true}} {
		t.Run(fmt.Sprintf("values=%v/keys=%d/rehash=%v", tc.values, tc.keys, tc.rehash), func(t *testing.T) {
			m := New(tc.values, r.IntN(100))
			if tc.rehash {
				m.tagUsed = 0
			}
			model := map[string]string{}
			maxDepth := uint8(0)
			defer func() { t.Logf("max depth %d", maxDepth) }()
			for op := 0; op < tc.ops; op++ {
				// Phases: mostly inserts, then mostly deletes, so tables both
				// split and merge.
				insert := (op/(tc.ops/6))%2 == 0
				k := "k" + strconv.Itoa(r.IntN(tc.keys))
				switch x := r.IntN(10); {
				case x < 6 && insert || x < 2:
					v := value(r)
					_, had := model[k]
					if added := m.Set([]byte(k), []byte(v)); added == had {
						t.Fatalf("Set(%q) added=%v, had=%v", k, added, had)
					}
					if tc.values {
						model[k] = v
					} else {
						model[k] = ""
					}
				case x < 9:
					_, had := model[k]
					if m.Delete([]byte(k)) != had {
						t.Fatalf("Delete(%q) != %v", k, had)
					}
					delete(model, k)
				default:
					_, had := model[k]
					if m.Has([]byte(k)) != had {
						t.Fatalf("Has(%q) != %v", k, had)
					}
				}
				maxDepth = max(maxDepth, m.depth)
				if op%(tc.ops/10) == 0 {
					check(t, m, model)
				}
			}
			check(t, m, model)
			for k := range model {
				m.Delete([]byte(k))
				delete(model, k)
			}
			check(t, m, model)
			if len(m.chunks) != 0 || m.depth != 0 || len(m.dir[0].slots) != 1<<minTableBits {
				t.Fatalf("empty map keeps %d chunks, depth %d, %d slots", len(m.chunks), m.depth, len(m.dir[0].slots))
			}
		})
	}
}

func value(r *rand.Rand) string {
	switch r.IntN(50) {
	case 0:
		return string(bytes.Repeat([]byte{'B'}, bigEntry+r.IntN(100))) // own chunk
	case 1:
		return string(bytes.Repeat([]byte{'m'}, 200+r.IntN(2000)))
	}
	return "v" + strconv.Itoa(r.IntN(1000))
}

func TestNewHint(t *testing.T) {
	m := New(false, 100000)
	if m.depth == 0 {
		t.Fatal("large hint did not pre-split")
	}
	model := map[string]string{}
	for i := range 100000 {
		k := "m" + strconv.Itoa(i)
		m.Add([]byte(k))
		model[k] = ""
	}
	check(t, m, model)
}

func TestRange(t *testing.T) {
	m := New(true, 0)
	for i := range 5000 {
		m.Set([]byte(strconv.Itoa(i)), []byte("v"+strconv.Itoa(i)))
	}
	seen := map[string]bool{}
	m.Range(func(k, v []byte) bool {
		if string(v) != "v"+string(k) || seen[string(k)] {
			t.Fatalf("Range gave %q=%q (seen %v)", k, v, seen[string(k)])
		}
		seen[string(k)] = true
		return true
	})
	if len(seen) != 5000 {
		t.Fatalf("Range visited %d", len(seen))
	}
	n := 0
	if m.Range(func(k, v []byte) bool { n++; return n < 10 }) || n != 10 {
		t.Fatal("Range did not stop")
	}
}

// TestScanGuarantee checks Redis's SCAN guarantee (redis.io/commands/scan: "A
// full iteration always retrieves all the elements that were present in the
// collection from the start to the end of a full iteration") while the map
// grows tenfold and then shrinks between calls.
func TestScanGuarantee(t *testing.T) {
	r := newRand(t)
	for _, shrink := range []bool{false, true} {
		m := New(false, 0)
		const base = 2000
		for i := range base {
			m.Add([]byte("keep" + strconv.Itoa(i)))
		}
		if shrink {
			for i := range 40000 {
				m.Add([]byte("tmp" + strconv.Itoa(i)))
			}
		}
		seen := map[string]int{}
		cursor, calls, extra := uint64(0), 0, 0
		for {
			cursor = m.Scan(cursor, func(k, _ []byte) { seen[string(k)]++ })
			calls++
			if cursor == 0 {
				break
			}
			// Change the map between calls. Growth adds about one element
			// per call, which grows the map about sixfold before the scan
			// ends (each call covers one of ~n/0.56 buckets).
			if shrink {
				for range r.IntN(40) {
					m.Delete([]byte("tmp" + strconv.Itoa(r.IntN(40000))))
				}
			} else {
				for range r.IntN(3) {
					m.Add([]byte("new" + strconv.Itoa(extra)))
					extra++
				}
			}
			if calls > 1<<20 {
				t.Fatal("scan does not terminate")
			}
		}
		for i := range base {
			if seen["keep"+strconv.Itoa(i)] == 0 {
				t.Fatalf("shrink=%v: keep%d never returned (%d calls)", shrink, i, calls)
			}
		}
		t.Logf("shrink=%v: %d calls, map now %d, depth %d", shrink, calls, m.Len(), m.depth)
	}
}

// TestScanStable checks that a scan of an unchanged map returns each element
// exactly once.
func TestScanStable(t *testing.T) {
	m := New(true, 0)
	for i := range 10000 {
		m.Set([]byte(strconv.Itoa(i)), []byte("x"))
	}
	seen := map[string]int{}
	cursor := uint64(0)
	for {
		cursor = m.Scan(cursor, func(k, v []byte) {
			if string(v) != "x" {
				t.Fatalf("value %q", v)
			}
			seen[string(k)]++
		})
		if cursor == 0 {
			break
		}
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s returned %d times", k, n)
		}
	}
	if len(seen) != 10000 {
		t.Fatalf("scan returned %d of 10000", len(seen))
	}
}

// TestRandomFair samples a map whose tables differ in depth and size, and
// checks every element comes up about equally often.
func TestRandomFair(t *testing.T) {
	r := newRand(t)
	m := New(false, 0)
	const n = 5000
	for i := range n {
		m.Add([]byte(strconv.Itoa(i)))
	}
	if m.depth == 0 {
		t.Fatal("want a split index for this test")
	}
	const per = 100
	counts := map[string]int{}
	ids := map[uint64]string{}
	for range n * per {
		k, _, id := m.Random(r)
		counts[string(k)]++
		if prev, ok := ids[id]; ok && prev != string(k) {
			t.Fatalf("id %d names %q and %q", id, prev, k)
		}
		ids[id] = string(k)
	}
	// Chi-square with n-1 degrees of freedom: mean n, sd sqrt(2n) = 100.
	chi := 0.0
	for i := range n {
		d := float64(counts[strconv.Itoa(i)] - per)
		chi += d * d / per
	}
	if chi > n+8*100 {
		t.Fatalf("chi-square %.0f for %d degrees of freedom: not uniform", chi, n-1)
	}
}

func TestRandomSparse(t *testing.T) {
	r := newRand(t)
	m := New(false, 1<<20) // a huge empty index
	m.Add([]byte("only"))
	for range 10 {
		if k, _, _ := m.Random(r); string(k) != "only" {
			t.Fatalf("Random = %q", k)
		}
	}
}

// TestChurnBounded checks that updates which change value lengths (each
// leaving a dead copy behind) keep the slab within about twice the live
// data.
func TestChurnBounded(t *testing.T) {
	r := newRand(t)
	m := New(true, 0)
	model := map[string]string{}
	const keys = 5000
	for i := range 200000 {
		k := strconv.Itoa(r.IntN(keys))
		v := strings.Repeat("x", r.IntN(40))
		m.Set([]byte(k), []byte(v))
		model[k] = v
		if i%50000 == 0 {
			check(t, m, model)
		}
	}
	check(t, m, model)
	live, held := 0, 0
	m.Range(func(k, v []byte) bool { live += len(k) + len(v) + 2; return true })
	for _, ch := range m.chunks {
		held += cap(ch)
	}
	if held > 2*live+2*chunkSize {
		t.Fatalf("slab holds %d bytes for %d live", held, live)
	}
	t.Logf("slab holds %d bytes for %d live", held, live)
}

func TestMemoryUsageGrows(t *testing.T) {
	m := New(true, 0)
	a := m.MemoryUsage()
	for i := range 1000 {
		m.Set([]byte(strconv.Itoa(i)), []byte("value"))
	}
	if b := m.MemoryUsage(); b < a+1000*8 {
		t.Fatalf("MemoryUsage %d -> %d", a, b)
	}
}

// FuzzOps runs a byte-coded sequence of operations against a Go map.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, false)
	f.Add(bytes.Repeat([]byte{0, 7, 1, 3}, 300), true)
	f.Fuzz(func(t *testing.T, ops []byte, values bool) {
		m := New(values, 0)
		model := map[string]string{}
		for i := 0; i+1 < len(ops); i += 2 {
			k := strconv.Itoa(int(ops[i+1]) * 7)
			v := strconv.Itoa(int(ops[i]))
			if ops[i]%29 == 0 {
				v = string(bytes.Repeat([]byte{'z'}, bigEntry+int(ops[i])))
			}
			if !values {
				v = ""
			}
			switch ops[i] % 4 {
			case 0, 1:
				m.Set([]byte(k), []byte(v))
				model[k] = v
			case 2:
				if m.Delete([]byte(k)) != hasKey(model, k) {
					t.Fatalf("Delete(%q)", k)
				}
				delete(model, k)
			case 3:
				m.SetNX([]byte(k), []byte(v))
				if !hasKey(model, k) {
					model[k] = v
				}
			}
		}
		check(t, m, model)
	})
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}
