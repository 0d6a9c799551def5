package hash

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"
)

func newRand(t testing.TB) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	return rand.New(rand.NewPCG(seed, seed>>1|1))
}

var lim = DefaultLimits()

func b(s string) []byte { return []byte(s) }

// contents returns the hash as field=value strings in Range order.
func contents(h *Hash) []string {
	var out []string
	h.Range(func(f, v []byte) bool {
		out = append(out, string(f)+"="+string(v))
		return true
	})
	return out
}

func TestBasics(t *testing.T) {
	var h Hash
	if h.Len() != 0 || h.Encoding() != "listpack" || h.Exists(b("a")) {
		t.Fatal("zero Hash is not an empty listpack")
	}
	if !h.Set(b("a"), b("1"), lim) || h.Set(b("a"), b("22"), lim) {
		t.Fatal("Set added/updated wrongly")
	}
	if v, ok := h.Get(b("a")); !ok || string(v) != "22" || h.StrLen(b("a")) != 2 {
		t.Fatalf("Get = %q %v", v, ok)
	}
	if h.StrLen(b("nope")) != 0 {
		t.Fatal("StrLen of missing field")
	}
	if h.SetNX(b("a"), b("3"), lim) || !h.SetNX(b("b"), b(""), lim) {
		t.Fatal("SetNX")
	}
	if v, ok := h.Get(b("b")); !ok || len(v) != 0 {
		t.Fatal("empty value lost")
	}
	if h.Delete(b("zz")) || !h.Delete(b("a")) || h.Len() != 1 {
		t.Fatal("Delete")
	}
	if !h.Delete(b("b")) || h.Len() != 0 || h.p != nil {
		t.Fatal("emptied listpack not released")
	}
}

// TestListpackOrder checks that a listpack keeps insertion order and updates
// fields in place, as Redis's does (hashTypeSet in src/t_hash.c replaces the
// value with lpReplace and appends new fields at the tail).
func TestListpackOrder(t *testing.T) {
	var h Hash
	for _, f := range []string{"c", "a", "b", "d"} {
		h.Set(b(f), b(f+f), lim)
	}
	h.Set(b("a"), b(strings.Repeat("A", 60)), lim) // longer value, same place
	h.Set(b("b"), b(""), lim)                      // shorter
	h.Set(b("c"), b("XX"), lim)                    // same length
	h.Delete(b("d"))
	h.Set(b("e"), b("ee"), lim)
	want := []string{"c=XX", "a=" + strings.Repeat("A", 60), "b=", "e=ee"}
	if got := contents(&h); !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// TestConversion follows tests/unit/type/hash.tcl ("Is the small hash
// encoded with a listpack?", "Is a ziplist encoded Hash promoted on big
// payload?", "HSET/HLEN - Big hash creation") and hashTypeSet /
// hashTypeTryConversion in src/t_hash.c: more than hash-max-listpack-entries
// fields or a string longer than hash-max-listpack-value converts, for good.
// Checked against redis-server 7.0.15 with its default limits (512 entries,
// 64 bytes: src/config.c).
func TestConversion(t *testing.T) {
	if lim.MaxListpackEntries != 512 || lim.MaxListpackValue != 64 {
		t.Fatalf("defaults %+v differ from Redis 7.0's", lim)
	}
	t.Run("entries", func(t *testing.T) {
		var h Hash
		for i := range 512 {
			h.Set(b("f"+strconv.Itoa(i)), b("v"), lim)
		}
		if h.Encoding() != "listpack" {
			t.Fatal("512 fields should stay a listpack")
		}
		h.Set(b("f0"), b("update"), lim)
		if h.Encoding() != "listpack" {
			t.Fatal("an update converted")
		}
		h.Set(b("f512"), b("v"), lim)
		if h.Encoding() != "hashtable" || h.Len() != 513 {
			t.Fatalf("513 fields: %s, len %d", h.Encoding(), h.Len())
		}
		for i := range 512 {
			h.Delete(b("f" + strconv.Itoa(i)))
		}
		if h.Encoding() != "hashtable" || h.Len() != 1 {
			t.Fatal("conversion is one-way")
		}
	})
	for _, tc := range []struct {
		name         string
		field, value int
		enc          string
	}{
		{"value 64", 1, 64, "listpack"},
		{"value 65", 1, 65, "hashtable"},
		{"field 64", 64, 1, "listpack"},
		{"field 65", 65, 1, "hashtable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h Hash
			h.Set(b("x"), b("y"), lim)
			h.Set(bytes.Repeat(b("f"), tc.field), bytes.Repeat(b("v"), tc.value), lim)
			if h.Encoding() != tc.enc {
				t.Fatalf("encoding %s, want %s", h.Encoding(), tc.enc)
			}
			if v, _ := h.Get(b("x")); string(v) != "y" || h.Len() != 2 {
				t.Fatal("conversion lost data")
			}
		})
	}
	t.Run("hsetnx existing", func(t *testing.T) {
		// HSETNX checks existence before hashTypeTryConversion.
		var h Hash
		h.Set(b("f"), b("1"), lim)
		if h.SetNX(b("f"), bytes.Repeat(b("x"), 65), lim) || h.Encoding() != "listpack" {
			t.Fatal("HSETNX of an existing field converted")
		}
	})
	t.Run("zero entries", func(t *testing.T) {
		var h Hash
		h.Set(b("f"), b("1"), Limits{MaxListpackEntries: 0, MaxListpackValue: 64})
		if h.Encoding() != "hashtable" {
			t.Fatal("hash-max-listpack-entries 0 should give a hashtable")
		}
	})
}

// TestModel runs random operations against a Go map, with small limits so
// that hashes convert at random points.
func TestModel(t *testing.T) {
	r := newRand(t)
	for round := range 200 {
		l := Limits{MaxListpackEntries: r.IntN(40), MaxListpackValue: 1 + r.IntN(20)}
		if round%4 == 0 { // long strings take multi-byte length prefixes
			l.MaxListpackValue = 100 + r.IntN(300)
		}
		var h Hash
		model := map[string]string{}
		converted := false
		keys := 1 + r.IntN(100)
		for op := range 300 {
			f := "f" + strconv.Itoa(r.IntN(keys))
			v := strings.Repeat("v", r.IntN(l.MaxListpackValue+3))
			_, had := model[f]
			switch r.IntN(6) {
			case 0, 1:
				if h.Set(b(f), b(v), l) == had {
					t.Fatalf("round %d op %d: Set(%q) added=%v", round, op, f, had)
				}
				model[f] = v
				if len(f) > l.MaxListpackValue || len(v) > l.MaxListpackValue || len(model) > l.MaxListpackEntries {
					converted = true
				}
			case 2:
				if h.SetNX(b(f), b(v), l) == had {
					t.Fatalf("SetNX(%q) with had=%v", f, had)
				}
				if !had {
					model[f] = v
					if len(f) > l.MaxListpackValue || len(v) > l.MaxListpackValue || len(model) > l.MaxListpackEntries {
						converted = true
					}
				}
			case 3:
				if h.Delete(b(f)) != had {
					t.Fatalf("Delete(%q) != %v", f, had)
				}
				delete(model, f)
			case 4:
				got, ok := h.Get(b(f))
				if ok != had || string(got) != model[f] || h.StrLen(b(f)) != len(model[f]) || h.Exists(b(f)) != had {
					t.Fatalf("Get(%q) = %q %v, want %q %v", f, got, ok, model[f], had)
				}
			case 5:
				if len(model) > 0 {
					f, v := h.RandomField(r)
					if model[string(f)] != string(v) {
						t.Fatalf("RandomField gave %q=%q", f, v)
					}
				}
			}
			if want := map[bool]string{false: "listpack", true: "hashtable"}[converted]; h.Encoding() != want {
				t.Fatalf("round %d op %d: encoding %s, want %s (%+v, len %d)", round, op, h.Encoding(), want, l, len(model))
			}
		}
		checkModel(t, &h, model)
	}
}

func checkModel(t *testing.T, h *Hash, model map[string]string) {
	t.Helper()
	if h.Len() != len(model) {
		t.Fatalf("Len %d, want %d", h.Len(), len(model))
	}
	seen := map[string]bool{}
	h.Range(func(f, v []byte) bool {
		if seen[string(f)] || model[string(f)] != string(v) {
			t.Fatalf("Range: %q=%q (seen %v)", f, v, seen[string(f)])
		}
		seen[string(f)] = true
		return true
	})
	if len(seen) != len(model) {
		t.Fatalf("Range visited %d of %d", len(seen), len(model))
	}
}

// TestRandomFields covers every branch of hrandfieldWithCountCommand
// (src/t_hash.c) for both encodings.
func TestRandomFields(t *testing.T) {
	r := newRand(t)
	for _, n := range []int{5, 300, 3000} {
		var h Hash
		for i := range n {
			h.Set(b("f"+strconv.Itoa(i)), b("v"+strconv.Itoa(i)), lim)
		}
		for _, count := range []int64{0, 1, -1, 2, -7, int64(n / 10), int64(n/3 + 1), int64(n - 1), int64(n), int64(n + 5), -int64(3 * n)} {
			t.Run(fmt.Sprintf("%s/n=%d/count=%d", h.Encoding(), n, count), func(t *testing.T) {
				var got []string
				h.RandomFields(r, count, func(f, v []byte) bool {
					if "v"+string(f[1:]) != string(v) {
						t.Fatalf("pair %q=%q", f, v)
					}
					got = append(got, string(f))
					return true
				})
				want := int(count)
				switch {
				case count < 0:
					want = int(-count)
				case count > int64(n):
					want = n
				}
				if len(got) != want {
					t.Fatalf("got %d fields, want %d", len(got), want)
				}
				if count > 0 {
					seen := map[string]bool{}
					for _, f := range got {
						if seen[f] {
							t.Fatalf("repeated field %q with positive count", f)
						}
						seen[f] = true
					}
				}
			})
		}
		stopped := 0
		h.RandomFields(r, -50, func(_, _ []byte) bool { stopped++; return stopped < 3 })
		if stopped != 3 {
			t.Fatal("RandomFields did not stop")
		}
	}
}

// TestRandomFieldsUniform checks that distinct samples are uniform subsets
// in both strategies (selection sampling and random picks).
func TestRandomFieldsUniform(t *testing.T) {
	r := newRand(t)
	for _, tc := range []struct{ n, count int }{{20, 8}, {1000, 10}, {1000, 900}} {
		var h Hash
		for i := range tc.n {
			h.Set(b(strconv.Itoa(i)), nil, lim)
		}
		const rounds = 3000
		hits := make([]int, tc.n)
		for range rounds {
			h.RandomFields(r, int64(tc.count), func(f, _ []byte) bool {
				i, _ := strconv.Atoi(string(f))
				hits[i]++
				return true
			})
		}
		mean := float64(rounds*tc.count) / float64(tc.n)
		for i, c := range hits {
			if d := float64(c) - mean; d*d > 36*mean { // 6 sigma
				t.Fatalf("n=%d count=%d: field %d drawn %d times, mean %.1f", tc.n, tc.count, i, c, mean)
			}
		}
	}
}

// TestScanListpack: a listpack returns everything with cursor 0
// (scanGenericCommand in src/db.c).
func TestScanListpack(t *testing.T) {
	var h Hash
	h.Set(b("a"), b("1"), lim)
	h.Set(b("b"), b("2"), lim)
	var got []string
	if c := h.Scan(12345, func(f, v []byte) { got = append(got, string(f)+string(v)) }); c != 0 {
		t.Fatalf("cursor %d", c)
	}
	if !slices.Equal(got, []string{"a1", "b2"}) {
		t.Fatalf("got %q", got)
	}
}

// TestScanGrowing checks the HSCAN guarantee (redis.io/commands/scan) while
// the hash grows between calls.
func TestScanGrowing(t *testing.T) {
	var h Hash
	const base = 1000
	for i := range base {
		h.Set(b("old"+strconv.Itoa(i)), b("x"), lim)
	}
	seen := map[string]bool{}
	cursor, added := uint64(0), 0
	for {
		cursor = h.Scan(cursor, func(f, _ []byte) { seen[string(f)] = true })
		if cursor == 0 {
			break
		}
		for range 2 {
			h.Set(b("new"+strconv.Itoa(added)), b("y"), lim)
			added++
		}
	}
	for i := range base {
		if !seen["old"+strconv.Itoa(i)] {
			t.Fatalf("old%d missed (hash grew by %d)", i, added)
		}
	}
	if added < base {
		t.Fatalf("hash only grew by %d", added)
	}
}

func TestMemoryUsage(t *testing.T) {
	var h Hash
	small := h.MemoryUsage()
	for i := range 200 {
		h.Set(b(strconv.Itoa(i)), b("value"), lim)
	}
	if h.MemoryUsage() <= small+200*8 {
		t.Fatalf("MemoryUsage %d", h.MemoryUsage())
	}
}

// FuzzOps runs a byte-coded sequence of operations, with tiny limits, against
// a Go map.
func FuzzOps(f *testing.F) {
	f.Add([]byte("\x00a\x01b\x02c\x03a"), uint8(4), uint8(3))
	f.Add(bytes.Repeat([]byte{0, 1, 2, 3, 9, 200}, 40), uint8(2), uint8(9))
	f.Fuzz(func(t *testing.T, ops []byte, entries, value uint8) {
		l := Limits{MaxListpackEntries: int(entries % 16), MaxListpackValue: int(value)}
		var h Hash
		model := map[string]string{}
		for i := 0; i+2 < len(ops); i += 3 {
			fld := string(ops[i+1 : i+2])
			if ops[i+1]&0x80 != 0 {
				fld = strings.Repeat(fld, int(ops[i+1]&0x1f))
			}
			val := strings.Repeat("v", int(ops[i+2]))
			_, had := model[fld]
			switch ops[i] % 4 {
			case 0:
				if h.Set(b(fld), b(val), l) == had {
					t.Fatalf("Set(%q)", fld)
				}
				model[fld] = val
			case 1:
				if h.SetNX(b(fld), b(val), l) == had {
					t.Fatalf("SetNX(%q)", fld)
				}
				if !had {
					model[fld] = val
				}
			case 2:
				if h.Delete(b(fld)) != had {
					t.Fatalf("Delete(%q)", fld)
				}
				delete(model, fld)
			case 3:
				if v, ok := h.Get(b(fld)); ok != had || string(v) != model[fld] {
					t.Fatalf("Get(%q)", fld)
				}
			}
		}
		checkModel(t, &h, model)
	})
}

// TestListpackLongStrings exercises multi-byte length prefixes.
func TestListpackLongStrings(t *testing.T) {
	l := Limits{MaxListpackEntries: 100, MaxListpackValue: 20000}
	var h Hash
	model := map[string]string{}
	for i, n := range []int{0, 127, 128, 200, 16383, 16384, 5} {
		f := strings.Repeat(string(rune('a'+i)), n)
		v := strings.Repeat("v", 16384-n)
		h.Set(b(f), b(v), l)
		model[f] = v
	}
	h.Set(b(strings.Repeat("d", 200)), b("short now"), l)
	model[strings.Repeat("d", 200)] = "short now"
	h.Delete(b(strings.Repeat("b", 127)))
	delete(model, strings.Repeat("b", 127))
	if h.Encoding() != "listpack" {
		t.Fatal("converted")
	}
	checkModel(t, &h, model)
	for f, v := range model {
		if got, ok := h.Get(b(f)); !ok || string(got) != v {
			t.Fatalf("Get of a %d-byte field", len(f))
		}
	}
}

// TestSmallHashFootprint pins the memory of a small hash: a 16-byte Hash
// and a listpack that still fits the allocator's 208-byte size class for
// the bench/mem.sh hash10 row (10 fields "f0".."f9" with 16-byte values:
// 4+10*20 = 204 bytes).
func TestSmallHashFootprint(t *testing.T) {
	if s := unsafe.Sizeof(Hash{}); s != 16 {
		t.Errorf("Hash is %d bytes, want 16", s)
	}
	h := &Hash{}
	for i := range 10 {
		h.Set([]byte("f"+strconv.Itoa(i)), []byte("val:"+strings.Repeat("0", 11)+strconv.Itoa(i)), DefaultLimits())
	}
	lp := h.listpack()
	if len(lp) != 204 || cap(lp) > 208 {
		t.Errorf("listpack len %d cap %d, want 204 and at most 208", len(lp), cap(lp))
	}
	if got := h.MemoryUsage(); got != 16+cap(lp) {
		t.Errorf("MemoryUsage = %d, want %d", got, 16+cap(lp))
	}
	c := h.Clone()
	h.Convert()
	if c.Encoding() != EncodingListpack || h.Encoding() != EncodingHashtable || c.Len() != 10 || h.Len() != 10 {
		t.Fatalf("clone %s/%d, converted %s/%d", c.Encoding(), c.Len(), h.Encoding(), h.Len())
	}
	if v, ok := c.Get([]byte("f3")); !ok || string(v) != "val:000000000003" {
		t.Errorf("clone f3 = %q %v", v, ok)
	}
	if v, ok := h.Get([]byte("f3")); !ok || string(v) != "val:000000000003" {
		t.Errorf("converted f3 = %q %v", v, ok)
	}
}

// HSET of several pairs reserves the listpack once: the result has no
// more slack than the allocator's size-class rounding, and the pairs read
// back as set.
func TestReserveFitsListpack(t *testing.T) {
	lim := Limits{MaxListpackEntries: 128, MaxListpackValue: 64}
	var pairs [][]byte
	for i := 0; i < 10; i++ {
		pairs = append(pairs, b("f"+strconv.Itoa(i)), b("val:00000000000"+strconv.Itoa(i)))
	}
	var h Hash
	h.Reserve(pairs, lim)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !h.Set(pairs[i], pairs[i+1], lim) {
			t.Fatalf("field %s not added", pairs[i])
		}
	}
	lp := h.listpack()
	if lp == nil || h.Len() != 10 {
		t.Fatalf("len %d, listpack %v", h.Len(), lp != nil)
	}
	if fit := cap(lpAlloc(len(lp))); cap(lp) != fit {
		t.Errorf("listpack len %d cap %d, want the size class %d", len(lp), cap(lp), fit)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if v, ok := h.Get(pairs[i]); !ok || string(v) != string(pairs[i+1]) {
			t.Errorf("%s = %q %v", pairs[i], v, ok)
		}
	}
	// Pairs that will convert the hash are not reserved for.
	var big Hash
	big.Reserve(pairs, Limits{MaxListpackEntries: 5, MaxListpackValue: 64})
	if big.listpack() != nil {
		t.Error("reserved a listpack that is going to convert")
	}
}
