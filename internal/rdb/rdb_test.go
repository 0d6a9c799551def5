package rdb

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/types/hash"
	"github.com/cinnabar-db/cinnabar/internal/types/list"
	"github.com/cinnabar-db/cinnabar/internal/types/set"
	"github.com/cinnabar-db/cinnabar/internal/types/zset"
)

// The check value of Redis's crc64.c self test (crc64Test / "123456789").
func TestCRC64(t *testing.T) {
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64(123456789) = %#x", got)
	}
	if got := CRC64(0, nil); got != 0 {
		t.Fatalf("crc64(empty) = %#x", got)
	}
	// Incremental use gives the same result.
	if CRC64(CRC64(0, []byte("1234")), []byte("56789")) != 0xe9c6d914c4b8d9ca {
		t.Fatal("incremental crc64 differs")
	}
}

func TestLengthEncoding(t *testing.T) {
	for _, n := range []uint64{0, 1, 63, 64, 16383, 16384, math.MaxUint32, math.MaxUint32 + 1, math.MaxUint64} {
		b := AppendLen(nil, n)
		r := reader{b: b}
		got, enc, err := r.length()
		if err != nil || enc || got != n || r.p != len(b) {
			t.Fatalf("length %d: got %d enc=%v err=%v consumed %d/%d", n, got, enc, err, r.p, len(b))
		}
	}
	wantSize := map[uint64]int{63: 1, 64: 2, 16383: 2, 16384: 5, math.MaxUint32: 5, math.MaxUint32 + 1: 9}
	for n, sz := range wantSize {
		if got := len(AppendLen(nil, n)); got != sz {
			t.Errorf("AppendLen(%d) is %d bytes, want %d", n, got, sz)
		}
	}
}

// String encodings as rdbSaveRawString writes them (src/rdb.c
// rdbTryIntegerEncoding): short canonical integers that fit 32 bits are
// int-encoded.
func TestStringEncoding(t *testing.T) {
	cases := []struct {
		in   string
		want string // hex
	}{
		{"hello", "0568656c6c6f"},
		{"0", "c000"},
		{"-128", "c080"},
		{"12345", "c13930"},
		{"-70000", "c290eefeff"},
		{"5000000000", "0a35303030303030303030"},
		{"007", "03303037"},
		{"-0", "022d30"},
		{"", "00"},
	}
	for _, c := range cases {
		got := hex.EncodeToString(AppendString(nil, []byte(c.in)))
		if got != c.want {
			t.Errorf("AppendString(%q) = %s, want %s", c.in, got, c.want)
		}
		r := reader{b: AppendString(nil, []byte(c.in))}
		s, err := r.str()
		if err != nil || string(s) != c.in {
			t.Errorf("read back %q: %q %v", c.in, s, err)
		}
	}
}

func TestLZFCompressRoundTrip(t *testing.T) {
	var st lzfState
	inputs := [][]byte{
		bytes.Repeat([]byte("a"), 1000),
		bytes.Repeat([]byte("compressible "), 40),
		[]byte("a longer string that is longer than twenty"),
	}
	x := uint32(1)
	rnd := make([]byte, 5000)
	for i := range rnd {
		x = x*1664525 + 1013904223
		rnd[i] = byte(x>>24) % 7
	}
	inputs = append(inputs, rnd)
	for _, in := range inputs {
		c, ok := st.compress(nil, in, len(in)-4)
		if !ok {
			t.Fatalf("%q... did not compress", in[:10])
		}
		got, err := lzfDecompress(nil, c, len(in))
		if err != nil || !bytes.Equal(got, in) {
			t.Fatalf("round trip of %q...: %v", in[:10], err)
		}
	}
	// Redis 7.0.15 stores "a longer string that is longer than twenty" as
	// this LZF string (DUMP of SET k <that string>).
	want, _ := hex.DecodeString("c3252a1661206c6f6e67657220737472696e672074686174206973c015200e076e207477656e7479")
	if got := AppendString(nil, []byte("a longer string that is longer than twenty")); !bytes.Equal(got, want) {
		t.Fatalf("LZF string\n got %x\nwant %x", got, want)
	}
}

func TestLZF(t *testing.T) {
	// "aaaa...": one literal then back references (hand-assembled LZF).
	src := []byte{0x00, 'a', 0xE0, 0x00, 0x00}
	got, err := lzfDecompress(nil, src, 1+7+2)
	if err != nil || string(got) != "aaaaaaaaaa" {
		t.Fatalf("lzf: %q %v", got, err)
	}
	for _, bad := range [][]byte{{0x05, 'a'}, {0x20, 0x00}, {0xE0}, {0x00, 'a', 0xE0, 0x05}} {
		if _, err := lzfDecompress(nil, bad, 10); err == nil {
			t.Errorf("lzf accepted %x", bad)
		}
	}
	if _, err := lzfDecompress(nil, src, 5); err == nil {
		t.Error("lzf overflow not detected")
	}
}

// goldenDumps are DUMP replies of real redis-server 7.0.15 (rdbcompression
// yes, default config; zsetsl with zset-max-listpack-entries 0).
var goldenDumps = []struct{ key, hex string }{
	{"str", "000568656c6c6f0a006372df766534200a"},
	{"int16", "00c139300a009d94ea2793fc08b9"},
	{"big", "000b2d353030303030303030300a00f24151c113b192b3"},
	{"list", "1201023030000000080081610281620201010201c12c02f290eefe04f400f2052a01000000098b68656c6c6f20776f726c640cff0a002d90d650102c5cbb"},
	{"intset", "0b1804000000040000006079feff0100000002000000030000000a008b0f7802aa2a77a0"},
	{"hash", "10151500000004008266310382763103826632031601ff0a00794ee62e9c48a90c"},
	{"zset", "11c33c404413440000000c00816302dffd0281660293302e3130e005001f3114816102010181620283322e35048164028531652b32300681650283696e660104ff0a001bd6a0d881724ff7"},
	{"zsetsl", "0503016200000000000004400161000000000000f03f0163000000000000f0ff0a009a24ca8fdcb1d08c"},
}

func TestGoldenRedisPayloads(t *testing.T) {
	lim := DefaultLimits()
	for _, g := range goldenDumps {
		p, _ := hex.DecodeString(g.hex)
		o, err := DecodeDump(p, lim)
		if err != nil {
			t.Fatalf("%s: %v", g.key, err)
		}
		// Re-encoding gives Redis's bytes, LZF compression included.
		e := entryOf(o)
		if g.key == "zset" {
			if got := zsetString(e.Obj.(*zset.ZSet)); got != "c=-3 f=0.1 a=1 b=2.5 d=1e+20 e=+Inf" {
				t.Fatalf("zset content %s", got)
			}
		}
		if g.key == "zsetsl" {
			// Restored with default limits the set is a listpack again.
			if e.Obj.(*zset.ZSet).Encoding() != zset.EncodingListpack {
				t.Fatal("small zset not converted to listpack")
			}
			continue
		}
		got, err := AppendDump(nil, e)
		if err != nil || !bytes.Equal(got, p) {
			t.Errorf("%s: re-encoded\n %x\nwant\n %x", g.key, got, p)
		}
	}
}

func entryOf(o Object) keyspace.Entry {
	if o.Type == keyspace.TypeString {
		if x, ok := resp.ParseInt(o.Str); ok {
			return keyspace.Entry{Type: o.Type, Enc: keyspace.EncInt, Int: x}
		}
		return keyspace.Entry{Type: o.Type, Enc: keyspace.EncRaw, Str: o.Str}
	}
	return keyspace.Entry{Type: o.Type, Obj: o.Value}
}

func zsetString(z *zset.ZSet) string {
	var b []byte
	it := z.All()
	for {
		m, s, ok := it.Next()
		if !ok {
			break
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, m...)
		b = append(b, '=')
		b = strconv.AppendFloat(b, s, 'g', -1, 64)
	}
	return string(b)
}

func listItems(l *list.List) []string {
	var out []string
	l.Range(0, l.Len()-1, false, func(e list.Entry) bool {
		out = append(out, string(e.Append(nil)))
		return true
	})
	return out
}

func setItems(s *set.Set) []string {
	var out []string
	s.Range(func(m []byte) bool { out = append(out, string(m)); return true })
	slices.Sort(out)
	return out
}

func hashItems(h *hash.Hash) []string {
	var out []string
	h.Range(func(f, v []byte) bool { out = append(out, string(f)+"="+string(v)); return true })
	slices.Sort(out)
	return out
}

func roundTrip(t *testing.T, e keyspace.Entry, lim Limits) Object {
	t.Helper()
	p, err := AppendDump(nil, e)
	if err != nil {
		t.Fatal(err)
	}
	o, err := DecodeDump(p, lim)
	if err != nil {
		t.Fatalf("decode own payload %x: %v", p, err)
	}
	if o.Type != e.Type {
		t.Fatalf("type %v, want %v", o.Type, e.Type)
	}
	return o
}

func TestRoundTrip(t *testing.T) {
	lim := DefaultLimits()
	for _, s := range []string{"", "x", "12", "-2147483648", "2147483648", string(bytes.Repeat([]byte("ab"), 40000))} {
		o := roundTrip(t, keyspace.Entry{Type: keyspace.TypeString, Str: []byte(s)}, lim)
		if string(o.Str) != s {
			t.Fatalf("string %q came back %q", s, o.Str)
		}
	}
	o := roundTrip(t, keyspace.Entry{Type: keyspace.TypeString, Enc: keyspace.EncInt, Int: math.MinInt64}, lim)
	if string(o.Str) != "-9223372036854775808" {
		t.Fatalf("int string %q", o.Str)
	}

	for _, n := range []int{1, 5, 200, 3000} {
		l := list.New(-2, 0)
		var want []string
		for i := range n {
			v := []string{"a", strconv.Itoa(i), strconv.Itoa(-i * 1000003), "x" + strconv.Itoa(i) + string(bytes.Repeat([]byte("y"), i%300))}[i%4]
			l.Push(list.Tail, []byte(v))
			want = append(want, v)
		}
		got := listItems(roundTrip(t, keyspace.Entry{Type: keyspace.TypeList, Obj: l}, lim).Value.(*list.List))
		if !slices.Equal(got, want) {
			t.Fatalf("list of %d differs", n)
		}
	}

	for _, members := range [][]string{{"1", "-5", "70000", "-9000000000"}, {"a", "1", "bb"}} {
		s := &set.Set{}
		for _, m := range members {
			s.Add([]byte(m), 512)
		}
		o := roundTrip(t, keyspace.Entry{Type: keyspace.TypeSet, Obj: s}, lim)
		r := o.Value.(*set.Set)
		if !slices.Equal(setItems(r), setItems(s)) || r.Encoding() != s.Encoding() {
			t.Fatalf("set %v: got %v (%s)", members, setItems(r), r.Encoding())
		}
	}

	for _, n := range []int{1, 100, 300} {
		h := &hash.Hash{}
		for i := range n {
			h.Set([]byte("f"+strconv.Itoa(i)), []byte(strconv.Itoa(i*7)), hash.DefaultLimits())
		}
		r := roundTrip(t, keyspace.Entry{Type: keyspace.TypeHash, Obj: h}, lim).Value.(*hash.Hash)
		if !slices.Equal(hashItems(r), hashItems(h)) || r.Encoding() != h.Encoding() {
			t.Fatalf("hash of %d differs (%s vs %s)", n, r.Encoding(), h.Encoding())
		}
	}

	for _, n := range []int{1, 100, 300} {
		z := zset.New(zset.DefaultLimits(), 0, 0)
		for i := range n {
			sc := []float64{float64(i), -float64(i) / 3, math.Inf(1), 1e300 * float64(i+1)}[i%4]
			if i == 2 {
				sc = math.Inf(-1)
			}
			z.Insert([]byte("m"+strconv.Itoa(i)), sc, zset.DefaultLimits())
		}
		r := roundTrip(t, keyspace.Entry{Type: keyspace.TypeZSet, Obj: z}, lim).Value.(*zset.ZSet)
		if zsetString(r) != zsetString(z) || r.Encoding() != z.Encoding() {
			t.Fatalf("zset of %d differs (%s vs %s)", n, r.Encoding(), z.Encoding())
		}
	}
}

// A restored collection converts at the configured thresholds, as Redis's
// rdbLoadObject does.
func TestRestoreConverts(t *testing.T) {
	h := &hash.Hash{}
	for i := range 10 {
		h.Set([]byte("f"+strconv.Itoa(i)), []byte("v"), hash.DefaultLimits())
	}
	lim := DefaultLimits()
	lim.Hash.MaxListpackEntries = 5
	lim.ZSet.MaxListpackEntries = 5
	lim.SetMaxIntsetEntries = 5
	if r := roundTrip(t, keyspace.Entry{Type: keyspace.TypeHash, Obj: h}, lim).Value.(*hash.Hash); r.Encoding() != hash.EncodingHashtable {
		t.Fatalf("hash encoding %s", r.Encoding())
	}
	s := &set.Set{}
	z := zset.New(zset.DefaultLimits(), 0, 0)
	for i := range 10 {
		s.Add([]byte(strconv.Itoa(i)), 512)
		z.Insert([]byte(strconv.Itoa(i)), float64(i), zset.DefaultLimits())
	}
	if r := roundTrip(t, keyspace.Entry{Type: keyspace.TypeSet, Obj: s}, lim).Value.(*set.Set); r.Encoding() != set.EncodingHashtable {
		t.Fatalf("set encoding %s", r.Encoding())
	}
	if r := roundTrip(t, keyspace.Entry{Type: keyspace.TypeZSet, Obj: z}, lim).Value.(*zset.ZSet); r.Encoding() != zset.EncodingSkiplist {
		t.Fatalf("zset encoding %s", r.Encoding())
	}
}

func TestVerifyPayload(t *testing.T) {
	p, _ := hex.DecodeString(goldenDumps[0].hex)
	if _, v, err := VerifyPayload(p); err != nil || v != 10 {
		t.Fatalf("golden payload: v=%d %v", v, err)
	}
	for i := range p {
		q := slices.Clone(p)
		q[i] ^= 0x40
		if _, _, err := VerifyPayload(q); !errors.Is(err, ErrChecksum) {
			t.Errorf("flip at %d accepted", i)
		}
	}
	if _, _, err := VerifyPayload(p[:9]); !errors.Is(err, ErrChecksum) {
		t.Error("short payload accepted")
	}
	// A newer RDB version is refused even with a good checksum.
	q := slices.Clone(p[:len(p)-10])
	q = append(q, 11, 0)
	q = binaryCRC(q)
	if _, _, err := VerifyPayload(q); !errors.Is(err, ErrChecksum) {
		t.Error("version 11 accepted")
	}
}

func binaryCRC(p []byte) []byte {
	c := CRC64(0, p)
	for i := range 8 {
		p = append(p, byte(c>>(8*i)))
	}
	return p
}

// frame wraps a raw value in a valid DUMP footer.
func frame(v []byte) []byte {
	return AppendFooter(slices.Clone(v), 0)
}

func TestMalformed(t *testing.T) {
	lim := DefaultLimits()
	bad := []string{
		"",                           // no type
		"08",                         // unknown type
		"0f00",                       // stream
		"0005616263",                 // truncated string
		"00c3050a000000",             // truncated LZF
		"0102",                       // list: missing elements
		"0100",                       // empty list
		"020201610161",               // duplicate set member
		"0b0b0400000001000000050000", // intset with bad length
		"10070700000000ff",           // empty listpack hash? (count 0, header ok) -> empty
		"1006ffffffff00",             // listpack: bogus header
		"1205",                       // quicklist2: truncated
		"12010307",                   // quicklist2: bad container
		"050101610000000000",         // zset2 truncated score
		"05010161000000000000f87f",   // zset2 NaN score
	}
	for _, h := range bad {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("bad test hex %q", h)
		}
		if _, err := DecodeDump(frame(b), lim); err == nil || errors.Is(err, ErrChecksum) {
			t.Errorf("payload %s: err %v", h, err)
		}
	}
	// Every truncation and byte flip of valid payloads is an error or a
	// value, never a panic.
	for _, g := range goldenDumps {
		p, _ := hex.DecodeString(g.hex)
		body := p[:len(p)-10]
		for i := range body {
			DecodeDump(frame(body[:i]), lim)
			q := slices.Clone(body)
			q[i] ^= 0xff
			DecodeDump(frame(q), lim)
		}
	}
}

func TestFunctionsPayload(t *testing.T) {
	codes := [][]byte{[]byte("#!lua name=a\nredis.register_function('f', function() return 1 end)"), []byte("#!lua name=b\n")}
	p := AppendFunctions(nil, codes)
	if _, _, err := VerifyPayload(p); err != nil {
		t.Fatal(err)
	}
	got, err := DecodeFunctions(p)
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], codes[0]) || !bytes.Equal(got[1], codes[1]) {
		t.Fatalf("got %q %v", got, err)
	}
	// Redis 7.0.15's FUNCTION DUMP of one library (lib2 f2).
	redis, _ := hex.DecodeString("f5404623216c7561206e616d653d6c6962320a72656469732e72656769737465725f66756e6374696f6e28276632272c2066756e6374696f6e28292072657475726e203220656e64290a0040a1bd2fd423e1ed")
	if _, _, err := VerifyPayload(redis); err != nil {
		t.Fatal(err)
	}
	if got, err := DecodeFunctions(redis); err != nil || len(got) != 1 || string(got[0][:18]) != "#!lua name=lib2\nre" {
		t.Fatalf("redis payload: %q %v", got, err)
	}
	if _, err := DecodeFunctions(frame([]byte{0x00, 0x01})); err == nil || err.Error() != "given type is not a function" {
		t.Fatalf("non-function type: %v", err)
	}
	old := []byte{OpFunction}
	old = AppendString(old, []byte("lib"))
	old = AppendString(old, []byte("LUA"))
	old = AppendLen(old, 0)
	old = AppendString(old, []byte("return 1"))
	if got, err := DecodeFunctions(frame(old)); err != nil || string(got[0]) != "#!LUA name=lib\nreturn 1" {
		t.Fatalf("old format: %q %v", got, err)
	}
}

// walkRDB decodes every key of an RDB file written by real Redis (the
// files are Redis's own tests/assets, covering the zipmap, ziplist,
// intset, quicklist and LZF encodings DUMP no longer writes).
func walkRDB(t *testing.T, data []byte, lim Limits) map[string]Object {
	t.Helper()
	if len(data) < 9 || string(data[:5]) != "REDIS" {
		t.Fatal("not an RDB file")
	}
	r := reader{b: data, p: 9}
	out := map[string]Object{}
	for {
		op, err := r.byte()
		if err != nil {
			t.Fatal(err)
		}
		switch op {
		case 0xFF:
			return out
		case 0xFE:
			if _, _, err := r.length(); err != nil {
				t.Fatal(err)
			}
			continue
		case 0xFD:
			r.take(4)
			continue
		case 0xFC:
			r.take(8)
			continue
		case 0xFB:
			r.length()
			r.length()
			continue
		case 0xFA:
			r.str()
			r.str()
			continue
		}
		key, err := r.str()
		if err != nil {
			t.Fatal(err)
		}
		o, err := r.object(op, lim)
		if err != nil {
			t.Fatalf("key %s type %d: %v", key, op, err)
		}
		out[string(key)] = o
	}
}

func TestRedisAssetFiles(t *testing.T) {
	lim := DefaultLimits()
	data, err := os.ReadFile("testdata/encodings.rdb")
	if err != nil {
		t.Fatal(err)
	}
	keys := walkRDB(t, data, lim)
	// Expected contents from Redis's tests/integration/rdb.tcl.
	if got := string(keys["compressible"].Str); got != string(bytes.Repeat([]byte("a"), len(got))) || len(got) < 100 {
		t.Errorf("compressible = %q", got)
	}
	if got := listItems(keys["list_zipped"].Value.(*list.List)); !slices.Equal(got, []string{"1", "2", "3", "a", "b", "c", "100000", "6000000000"}) {
		t.Errorf("list_zipped = %v", got)
	}
	if got := setItems(keys["set_zipped_3"].Value.(*set.Set)); !slices.Equal(got, []string{"1000000000", "2000000000", "3000000000", "4000000000", "5000000000", "6000000000"}) {
		t.Errorf("set_zipped_3 = %v", got)
	}
	if got := hashItems(keys["hash_zipped"].Value.(*hash.Hash)); !slices.Equal(got, []string{"a=1", "b=2", "c=3"}) {
		t.Errorf("hash_zipped = %v", got)
	}
	if got := zsetString(keys["zset"].Value.(*zset.ZSet)); got != "a=1 b=2 c=3 aa=10 bb=20 cc=30 aaa=100 bbb=200 ccc=300 aaaa=1000 cccc=1.23456789e+08 bbbb=5e+09" {
		t.Errorf("zset = %s", got)
	}
	if got := zsetString(keys["zset_zipped"].Value.(*zset.ZSet)); got != "a=1 b=2 c=3" {
		t.Errorf("zset_zipped = %s", got)
	}
	if len(keys) != 13 {
		t.Errorf("%d keys", len(keys))
	}
	for _, f := range []string{"hash-zipmap", "hash-ziplist", "list-quicklist", "zset-ziplist"} {
		data, err := os.ReadFile("testdata/" + f + ".rdb")
		if err != nil {
			t.Fatal(err)
		}
		if len(walkRDB(t, data, lim)) == 0 {
			t.Errorf("%s: no keys", f)
		}
	}
	h := walkRDB(t, mustRead(t, "testdata/hash-zipmap.rdb"), lim)["hash"].Value.(*hash.Hash)
	if got := hashItems(h); !slices.Equal(got, []string{"f1=v1", "f2=v2"}) {
		t.Errorf("zipmap hash = %v", got)
	}
}

func mustRead(t *testing.T, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func FuzzDecode(f *testing.F) {
	for _, g := range goldenDumps {
		p, _ := hex.DecodeString(g.hex)
		f.Add(p[:len(p)-10])
	}
	f.Add([]byte{TypeHashZipmap, 0x06, 0x01, 0x01, 'a', 0x01, 0x00, 'b', 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		lim := DefaultLimits()
		o, _, err := DecodeValue(b, lim)
		if err != nil {
			return
		}
		// Whatever decodes re-encodes and decodes to the same type.
		p, err := AppendDump(nil, entryOf(o))
		if err != nil {
			t.Fatal(err)
		}
		o2, err := DecodeDump(p, lim)
		if err != nil || o2.Type != o.Type {
			t.Fatalf("re-decode: %v", err)
		}
		DecodeFunctions(frame(b))
	})
}
