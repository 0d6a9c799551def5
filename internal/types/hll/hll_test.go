package hll

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"testing"
)

// Golden values below were produced by redis-server 7.0.15 (GET of the
// key after the commands named in each test).

func TestNewMatchesRedis(t *testing.T) {
	// createHLLObject: "HYLL", sparse, one XZERO covering 16384 registers.
	want := []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff")
	if got := New(); !bytes.Equal(got, want) {
		t.Fatalf("New() = %q, want %q", got, want)
	}
}

func addAll(t *testing.T, b []byte, sparseMax int, eles ...string) []byte {
	t.Helper()
	for _, e := range eles {
		var err error
		if b, _, err = Add(b, []byte(e), sparseMax); err != nil {
			t.Fatalf("Add(%q): %v", e, err)
		}
	}
	return b
}

func TestPFAddABCMatchesRedis(t *testing.T) {
	// PFADD k a b c; GET k (cache invalidated), then PFCOUNT k -> 3.
	b := addAll(t, New(), 3000, "a", "b", "c")
	want := []byte("HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80`\xf3\x80P\xb1\x84K\xfb\x80BZ")
	if !bytes.Equal(b, want) {
		t.Fatalf("got %q, want %q", b, want)
	}
	if _, ok := CachedCard(b); ok {
		t.Fatal("cache should be invalid")
	}
	n, err := Count(b)
	if err != nil || n != 3 {
		t.Fatalf("Count = %d, %v; want 3", n, err)
	}
	if got := string(AppendDecode(nil, b)); got != "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603" {
		t.Fatalf("decode = %q", got)
	}
}

func TestThousandThenDenseMatchesRedis(t *testing.T) {
	// for i in 1..1000: PFADD big e$i; PFCOUNT big -> 1008; PFDEBUG
	// ENCODING big -> sparse; PFDEBUG TODENSE big; sha1(GET big + "\n").
	b := New()
	for i := 1; i <= 1000; i++ {
		b = addAll(t, b, 3000, "e"+strconv.Itoa(i))
	}
	if b[4] != Sparse {
		t.Fatal("want sparse")
	}
	n, err := Count(b)
	if err != nil || n != 1008 {
		t.Fatalf("Count = %d, %v; want 1008", n, err)
	}
	SetCachedCard(b, n)
	d, err := SparseToDense(b)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(append(append([]byte(nil), d...), '\n'))
	if got := hex.EncodeToString(sum[:]); got != "cf95f263062233c3f60fbd91a989a2e293f4098f" {
		t.Fatalf("dense sha1 = %s", got)
	}
	if dn, _ := Count(d); dn != n {
		t.Fatalf("dense count %d != sparse %d", dn, n)
	}
}

func TestDenseRegisterRoundTrip(t *testing.T) {
	regs := make([]byte, DenseSize-HdrSize)
	r := rand.New(rand.NewPCG(1, 2))
	want := make([]uint8, Registers)
	for i := range want {
		want[i] = uint8(r.IntN(64))
		DenseSetRaw(regs, i, want[i])
	}
	for i, v := range want {
		if got := DenseGet(regs, i); got != v {
			t.Fatalf("register %d = %d, want %d", i, got, v)
		}
	}
}

func TestSparseAndDenseAgree(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s, d := New(), New()
	d, _ = SparseToDense(d)
	for i := 0; i < 5000; i++ {
		e := []byte(strconv.FormatUint(r.Uint64(), 36))
		var n1, n2 int
		var err error
		if s, n1, err = Add(s, e, 1<<20); err != nil {
			t.Fatal(err)
		}
		d, n2, _ = Add(d, e, 1<<20)
		if n1 != n2 {
			t.Fatalf("element %d: sparse updated %d, dense %d", i, n1, n2)
		}
	}
	if s[4] != Sparse {
		t.Fatal("sparse promoted despite a large limit")
	}
	cs, err := Count(s)
	if err != nil {
		t.Fatal(err)
	}
	cd, _ := Count(d)
	if cs != cd {
		t.Fatalf("sparse %d dense %d", cs, cd)
	}
	sd, _ := SparseToDense(s)
	if !bytes.Equal(sd[HdrSize:], d[HdrSize:]) {
		t.Fatal("registers differ")
	}
	var m [Registers]uint8
	if err := Merge(&m, s); err != nil {
		t.Fatal(err)
	}
	if CountRegisters(&m) != cs {
		t.Fatal("raw count differs")
	}
}

func TestPromotionBySize(t *testing.T) {
	b := New()
	for i := 0; b[4] == Sparse; i++ {
		if len(b) > 200 {
			t.Fatalf("sparse length %d beyond limit", len(b))
		}
		b = addAll(t, b, 200, strconv.Itoa(i))
	}
	if len(b) != DenseSize {
		t.Fatalf("dense length %d", len(b))
	}
}

func TestCorruptedSparse(t *testing.T) {
	// Extra opcode at the tail (tests/unit/hyperloglog.tcl "Additional at tail").
	b := append(New(), 0x00)
	if _, err := Count(b); err != ErrInvalid {
		t.Fatalf("Count err = %v", err)
	}
	if _, err := SparseToDense(b); err != ErrInvalid {
		t.Fatalf("SparseToDense err = %v", err)
	}
	var m [Registers]uint8
	if err := Merge(&m, b); err != ErrInvalid {
		t.Fatalf("Merge err = %v", err)
	}
	// Too short: no opcode covers high registers.
	short := New()[:HdrSize+1]
	if _, err := Count(short); err != ErrInvalid {
		t.Fatalf("Count short err = %v", err)
	}
	if _, _, err := Set(short, Registers-1, 1, 3000); err != ErrInvalid {
		t.Fatalf("Set short err = %v", err)
	}
}

func TestIsHLL(t *testing.T) {
	for _, c := range []struct {
		b    []byte
		want bool
	}{
		{New(), true},
		{[]byte("HYLL"), false},
		{append([]byte("HYLX"), New()[4:]...), false},
		{append(append([]byte("HYLL"), 2), New()[5:]...), false},
		{append(append([]byte("HYLL"), 0), New()[5:]...), false},
	} {
		if got := IsHLL(c.b); got != c.want {
			t.Errorf("IsHLL(%q) = %v", c.b, got)
		}
	}
}

func TestSelfTest(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	if err := SelfTest(r.Uint64, 3, 100000, 3000); err != nil {
		t.Fatal(err)
	}
}

// FuzzOps applies adds, counts, merges and conversions to arbitrary bytes
// behind a valid header: errors are fine, panics are not, and a value that
// decodes keeps its invariants.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0x7f, 0xff}, []byte("a"))
	f.Add([]byte{0x00}, []byte("b"))
	f.Add([]byte{0x7f}, []byte("x"))
	f.Add([]byte{0x80, 0xff, 0x40}, []byte(""))
	f.Add(bytes.Repeat([]byte{0xfc}, 50), []byte("zz"))
	f.Fuzz(func(t *testing.T, body, ele []byte) {
		for _, enc := range []byte{Sparse, Dense} {
			b := append(append([]byte("HYLL"), enc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80), body...)
			if enc == Dense {
				b = append(b, make([]byte, DenseSize)...)[:DenseSize]
			}
			if !IsHLL(b) {
				t.Fatal("header should be valid")
			}
			_, _ = Count(b)
			var m [Registers]uint8
			_ = Merge(&m, b)
			_ = AppendDecode(nil, b)
			_, _ = SparseToDense(b)
			nb := append([]byte(nil), b...)
			for i := 0; i < 4; i++ {
				var err error
				if nb, _, err = Add(nb, append(ele, byte(i)), 100); err != nil {
					break
				}
			}
			if nb[4] == Sparse {
				_, _ = Count(nb)
			}
			// A value above 32 never fits a VAL opcode: the result is dense.
			if r, _, err := Set(nb, Registers-1, 40, 100); err == nil && (r[4] != Dense || len(r) != DenseSize) {
				t.Fatalf("Set(40) left encoding %d length %d", r[4], len(r))
			}
		}
	})
}

// FuzzModel drives a sparse and a dense HyperLogLog with the same register
// updates and checks them against a plain register array: same "changed"
// answers, same registers, same estimate, and the sparse form within its
// size limit or promoted.
func FuzzModel(f *testing.F) {
	f.Add([]byte{0, 1, 5, 0xff, 0x3f, 33}, uint16(200))
	f.Add([]byte{0x40, 0, 32, 0x40, 1, 32, 0x40, 2, 31}, uint16(20))
	f.Fuzz(func(t *testing.T, ops []byte, limit uint16) {
		sparseMax := int(limit)%4000 + HdrSize
		s := New()
		d, _ := SparseToDense(New())
		var model [Registers]uint8
		for i := 0; i+3 <= len(ops); i += 3 {
			idx := int(ops[i])<<8 | int(ops[i+1])
			idx %= Registers
			cnt := ops[i+2]%(Q+1) + 1
			var n1, n2 int
			var err error
			if s, n1, err = Set(s, idx, cnt, sparseMax); err != nil {
				t.Fatalf("sparse Set: %v", err)
			}
			d, n2, _ = Set(d, idx, cnt, sparseMax)
			want := 0
			if cnt > model[idx] {
				model[idx] = cnt
				want = 1
			}
			if n1 != want || n2 != want {
				t.Fatalf("Set(%d,%d): sparse %d dense %d want %d", idx, cnt, n1, n2, want)
			}
			if s[4] == Sparse && len(s) > max(sparseMax, HdrSize+2) {
				t.Fatalf("sparse length %d over %d", len(s), sparseMax)
			}
		}
		var got [Registers]uint8
		if err := Merge(&got, s); err != nil {
			t.Fatal(err)
		}
		if got != model {
			t.Fatal("sparse registers differ from the model")
		}
		dr, _ := RegisterValues(d)
		if [Registers]uint8(dr) != model {
			t.Fatal("dense registers differ from the model")
		}
		c1, err := Count(s)
		if err != nil {
			t.Fatal(err)
		}
		if c2, _ := Count(d); c1 != c2 || c1 != CountRegisters(&model) {
			t.Fatalf("estimates differ: %d %d %d", c1, c2, CountRegisters(&model))
		}
	})
}
