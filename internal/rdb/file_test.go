package rdb

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
	"github.com/cinnabar-db/cinnabar/internal/types/hash"
	"github.com/cinnabar-db/cinnabar/internal/types/list"
	"github.com/cinnabar-db/cinnabar/internal/types/set"
	"github.com/cinnabar-db/cinnabar/internal/types/zset"
)

// model is one key described by its source data, so it can be built with
// the types packages, written to a real Redis with commands, and compared
// with what a loader returns.
type model struct {
	db     int
	key    string
	typ    keyspace.Type
	items  []string // string: [value]; list: elements; set: members; hash: f,v,...; zset: member,score,...
	expire int64    // unix ms, 0 none
	idle   int64    // -1 none
	freq   int      // -1 none
	raw    bool     // string stored raw although short (APPEND)
}

func (m model) entry() keyspace.Entry {
	e := keyspace.Entry{Type: m.typ, ExpireAt: m.expire}
	switch m.typ {
	case keyspace.TypeString:
		s := m.items[0]
		if x, ok := resp.ParseInt([]byte(s)); ok && !m.raw {
			e.Enc, e.Int = keyspace.EncInt, x
		} else if len(s) <= 44 && !m.raw {
			e.Enc, e.Str = keyspace.EncEmbstr, []byte(s)
		} else {
			e.Enc, e.Str = keyspace.EncRaw, []byte(s)
		}
	case keyspace.TypeList:
		l := list.New(-2, 0)
		for _, v := range m.items {
			l.Push(list.Tail, []byte(v))
		}
		e.Obj = l
	case keyspace.TypeSet:
		s := &set.Set{}
		for _, v := range m.items {
			s.Add([]byte(v), set.DefaultMaxIntsetEntries)
		}
		e.Obj = s
	case keyspace.TypeHash:
		h := &hash.Hash{}
		for i := 0; i < len(m.items); i += 2 {
			h.Set([]byte(m.items[i]), []byte(m.items[i+1]), hash.DefaultLimits())
		}
		e.Obj = h
	case keyspace.TypeZSet:
		z := zset.New(zset.DefaultLimits(), 0, 0)
		for i := 0; i < len(m.items); i += 2 {
			sc, err := strconv.ParseFloat(m.items[i+1], 64)
			if err != nil {
				panic(err)
			}
			z.Insert([]byte(m.items[i]), sc, zset.DefaultLimits())
		}
		e.Obj = z
	}
	return e
}

// describe is a canonical text of a value, for comparisons.
func describe(typ keyspace.Type, str []byte, v any) string {
	switch typ {
	case keyspace.TypeString:
		return "string:" + string(str)
	case keyspace.TypeList:
		return "list:" + strings.Join(listItems(v.(*list.List)), "\x00")
	case keyspace.TypeSet:
		return "set:" + strings.Join(setItems(v.(*set.Set)), "\x00")
	case keyspace.TypeHash:
		return "hash:" + strings.Join(hashItems(v.(*hash.Hash)), "\x00")
	case keyspace.TypeZSet:
		return "zset:" + zsetString(v.(*zset.ZSet))
	}
	return "?"
}

func describeEntry(e keyspace.Entry) string {
	if e.Type == keyspace.TypeString && e.Enc == keyspace.EncInt {
		return describe(e.Type, strconv.AppendInt(nil, e.Int, 10), nil)
	}
	return describe(e.Type, e.Str, e.Obj)
}

func encodingOf(typ keyspace.Type, v any) string {
	switch typ {
	case keyspace.TypeList:
		return v.(*list.List).Encoding()
	case keyspace.TypeSet:
		return v.(*set.Set).Encoding()
	case keyspace.TypeHash:
		return v.(*hash.Hash).Encoding()
	case keyspace.TypeZSet:
		return v.(*zset.ZSet).Encoding()
	}
	return ""
}

// rnd is a small deterministic generator (xorshift), so data is
// reproducible without a logged seed.
type rnd uint64

func (r *rnd) next() uint64 {
	*r ^= *r << 13
	*r ^= *r >> 7
	*r ^= *r << 17
	return uint64(*r)
}

func (r *rnd) word(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[r.next()%36]
	}
	return string(b)
}

// testModels covers every type and encoding Redis 7.0 has (lists are
// always quicklists in 7.0: one node or many; sets intset or hashtable;
// hashes and zsets listpack or hashtable/skiplist), big and
// LZF-compressible strings, expires, and three databases.
func testModels(future int64) []model {
	r := rnd(88172645463325252)
	var ms []model
	add := func(db int, key string, typ keyspace.Type, items ...string) *model {
		ms = append(ms, model{db: db, key: key, typ: typ, items: items, idle: -1, freq: -1})
		return &ms[len(ms)-1]
	}
	add(0, "int", keyspace.TypeString, "12345")
	add(0, "negint", keyspace.TypeString, "-7")
	add(0, "bigint", keyspace.TypeString, "5000000000")
	add(0, "embstr", keyspace.TypeString, "hello world")
	add(0, "empty", keyspace.TypeString, "")
	add(0, "raw", keyspace.TypeString, r.word(100))
	add(0, "lzf", keyspace.TypeString, strings.Repeat("compress me ", 500))
	add(0, "rawshort", keyspace.TypeString, "short").raw = true
	add(0, "binary", keyspace.TypeString, "\x00\xff\r\n\x01 binary")
	add(0, "expiring", keyspace.TypeString, "v").expire = future
	add(0, "list1", keyspace.TypeList, "a", "1", "-300", "b", "9000000000")
	var big []string
	for i := range 3000 {
		switch i % 4 {
		case 0:
			big = append(big, strconv.Itoa(i))
		case 1:
			big = append(big, strconv.Itoa(-i*1000003))
		case 2:
			big = append(big, r.word(int(r.next()%40)))
		default:
			big = append(big, strings.Repeat("x", i%200))
		}
	}
	add(0, "listbig", keyspace.TypeList, big...).expire = future + 1
	add(0, "listhuge", keyspace.TypeList, strings.Repeat("A", 10000), "b", r.word(9000))
	add(0, "intset", keyspace.TypeSet, "1", "-5", "70000", "-9000000000", "3")
	var ints, words []string
	for i := range 500 {
		ints = append(ints, strconv.Itoa(i*7919-100000))
	}
	for range 1000 {
		words = append(words, r.word(12))
	}
	add(0, "intsetbig", keyspace.TypeSet, ints...)
	add(0, "setht", keyspace.TypeSet, "a", "1", "bb")
	add(0, "setbig", keyspace.TypeSet, words...)
	add(0, "hashlp", keyspace.TypeHash, "f1", "v1", "f2", "2", "n", "-17")
	var fv []string
	for i := range 300 {
		fv = append(fv, "field"+strconv.Itoa(i), r.word(i%50))
	}
	add(0, "hashbig", keyspace.TypeHash, fv...)
	add(0, "hashlong", keyspace.TypeHash, "f", strings.Repeat("v", 100), "g", "1")
	add(0, "zsetlp", keyspace.TypeZSet, "a", "1", "b", "2.5", "c", "-3", "d", "1e+20", "e", "inf", "f", "0.1", "g", "-inf")
	var zs []string
	for i := range 200 {
		zs = append(zs, "m"+strconv.Itoa(i), strconv.FormatFloat(float64(i)/3-20, 'g', -1, 64))
	}
	add(0, "zsetbig", keyspace.TypeZSet, zs...)
	add(0, "zsetlong", keyspace.TypeZSet, strings.Repeat("m", 80), "1.5", "x", "inf")

	add(1, "int", keyspace.TypeString, "1")
	add(1, "list", keyspace.TypeList, "x").expire = future + 2
	add(1, "hash", keyspace.TypeHash, "a", "b")

	add(5, "zset", keyspace.TypeZSet, "a", "1")
	add(5, "set", keyspace.TypeSet, "x", "y").expire = future + 3
	add(5, "str", keyspace.TypeString, "five")
	return ms
}

var testFunctions = [][]byte{
	[]byte("#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return 'hi' end)"),
	[]byte("#!lua name=lib2\nredis.register_function('f2', function(keys, args) return 2 end)"),
}

// writeModels writes ms (sorted by db) as a complete RDB file.
func writeModels(t *testing.T, ms []model, compress, noChecksum bool) []byte {
	t.Helper()
	var out bytes.Buffer
	w := NewWriter(&out, compress)
	w.NoChecksum = noChecksum
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.Header())
	must(w.Aux("redis-ver", "7.0.15"))
	must(w.AuxInt("redis-bits", 64))
	must(w.AuxInt("ctime", 1700000000))
	must(w.AuxInt("used-mem", 1<<40))
	must(w.AuxInt("aof-base", 0))
	for _, f := range testFunctions {
		must(w.Function(f))
	}
	for i := 0; i < len(ms); {
		j := i
		var expires uint64
		for j < len(ms) && ms[j].db == ms[i].db {
			if ms[j].expire > 0 {
				expires++
			}
			j++
		}
		must(w.SelectDB(ms[i].db, uint64(j-i), expires))
		for _, m := range ms[i:j] {
			must(w.Key([]byte(m.key), m.entry(), m.idle, m.freq))
		}
		i = j
	}
	must(w.Finish())
	if w.Written() != int64(out.Len()) {
		t.Fatalf("Written() = %d, file is %d bytes", w.Written(), out.Len())
	}
	return out.Bytes()
}

type loadedKey struct {
	db       int
	desc     string
	enc      string
	expireAt int64
	idle     int64
	freq     int
}

type loaded struct {
	aux     map[string]string
	funcs   []string
	dbs     []int
	resizes [][2]uint64
	keys    map[string]loadedKey // "db/key"
	order   []string
}

func loadAll(b []byte, lim Limits) (*loaded, int, error) {
	l := &loaded{aux: map[string]string{}, keys: map[string]loadedKey{}}
	db := 0
	n, err := Load(b, lim, &Handler{
		Aux:      func(k, v []byte) error { l.aux[string(k)] = string(v); return nil },
		Function: func(code []byte) error { l.funcs = append(l.funcs, string(code)); return nil },
		SelectDB: func(i int) error { db = i; l.dbs = append(l.dbs, i); return nil },
		ResizeDB: func(s, e uint64) { l.resizes = append(l.resizes, [2]uint64{s, e}) },
		Key: func(key []byte, o Object, expireAt, idle int64, freq int) error {
			k := strconv.Itoa(db) + "/" + string(key)
			if _, dup := l.keys[k]; dup {
				return errors.New("duplicate key " + k)
			}
			l.keys[k] = loadedKey{db, describe(o.Type, o.Str, o.Value), encodingOf(o.Type, o.Value), expireAt, idle, freq}
			l.order = append(l.order, k)
			return nil
		},
	})
	return l, n, err
}

// checkModels compares what was loaded with the models.
func checkModels(t *testing.T, l *loaded, ms []model, checkEncoding bool) {
	t.Helper()
	if len(l.keys) != len(ms) {
		t.Errorf("loaded %d keys, want %d", len(l.keys), len(ms))
	}
	for _, m := range ms {
		k := strconv.Itoa(m.db) + "/" + m.key
		got, ok := l.keys[k]
		if !ok {
			t.Errorf("key %s missing", k)
			continue
		}
		e := m.entry()
		if want := describeEntry(e); got.desc != want {
			t.Errorf("key %s: value differs\n got %.200q\nwant %.200q", k, got.desc, want)
		}
		if checkEncoding && got.enc != encodingOf(e.Type, e.Obj) {
			t.Errorf("key %s: encoding %s, want %s", k, got.enc, encodingOf(e.Type, e.Obj))
		}
		if got.expireAt != m.expire || got.idle != m.idle || got.freq != m.freq {
			t.Errorf("key %s: expire/idle/freq %d/%d/%d, want %d/%d/%d", k, got.expireAt, got.idle, got.freq, m.expire, m.idle, m.freq)
		}
	}
}

func TestFileRoundTrip(t *testing.T) {
	ms := testModels(4102444800000) // 2100-01-01
	ms[0].idle = 12345
	ms[1].freq = 200
	ms[2].idle, ms[2].freq = 0, 0
	ms[len(ms)-1].idle = math.MaxUint32 + 7
	for _, c := range []struct{ compress, noChecksum bool }{{true, false}, {false, false}, {true, true}} {
		b := writeModels(t, ms, c.compress, c.noChecksum)
		if string(b[:9]) != "REDIS0010" {
			t.Fatalf("header %q", b[:9])
		}
		crc := binary.LittleEndian.Uint64(b[len(b)-8:])
		if c.noChecksum != (crc == 0) {
			t.Fatalf("checksum %x with NoChecksum=%v", crc, c.noChecksum)
		}
		l, n, err := loadAll(append(slices.Clone(b), "trailing"...), DefaultLimits())
		if err != nil {
			t.Fatalf("compress=%v: %v", c.compress, err)
		}
		if n != len(b) {
			t.Fatalf("consumed %d of %d", n, len(b))
		}
		checkModels(t, l, ms, true)
		if l.aux["redis-ver"] != "7.0.15" || l.aux["redis-bits"] != "64" || l.aux["ctime"] != "1700000000" || l.aux["used-mem"] != "1099511627776" || l.aux["aof-base"] != "0" {
			t.Errorf("aux %v", l.aux)
		}
		if len(l.funcs) != 2 || l.funcs[0] != string(testFunctions[0]) || l.funcs[1] != string(testFunctions[1]) {
			t.Errorf("functions %q", l.funcs)
		}
		if !slices.Equal(l.dbs, []int{0, 1, 5}) || l.resizes[1] != [2]uint64{3, 1} {
			t.Errorf("dbs %v resizes %v", l.dbs, l.resizes)
		}
	}
	// Compression makes the file smaller; the compressed file holds the
	// LZF form of the compressible string.
	plain, packed := writeModels(t, ms, false, false), writeModels(t, ms, true, false)
	if len(packed) >= len(plain) {
		t.Errorf("compressed %d bytes, plain %d", len(packed), len(plain))
	}
}

// Aux values are saved as rdbSaveAuxFieldStrInt does: int-encoded when
// they fit in 32 bits (src/rdb.c rdbSaveRawString / rdbTryIntegerEncoding).
func TestWriterBytes(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out, true)
	w.Header()
	w.AuxInt("redis-bits", 64)
	w.AuxInt("used-mem", 5000000000)
	w.SelectDB(2, 1, 1)
	w.Key([]byte("k"), keyspace.Entry{Type: keyspace.TypeString, Enc: keyspace.EncEmbstr, Str: []byte("v"), ExpireAt: 0x0102030405}, 3, 4)
	if err := w.Finish(); err != nil {
		t.Fatal(err)
	}
	want := []byte("REDIS0010")
	want = append(want, 0xFA, 10)
	want = append(want, "redis-bits"...)
	want = append(want, 0xC0, 64)
	want = append(want, 0xFA, 8)
	want = append(want, "used-mem"...)
	want = append(want, 10)
	want = append(want, "5000000000"...)
	want = append(want, 0xFE, 2, 0xFB, 1, 1)
	want = append(want, 0xFC, 5, 4, 3, 2, 1, 0, 0, 0)
	want = append(want, 0xF8, 3, 0xF9, 4)
	want = append(want, 0, 1, 'k', 1, 'v', 0xFF)
	want = binaryCRC(want)
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("file\n %x\nwant\n %x", out.Bytes(), want)
	}
	// A stream is refused and nothing is written.
	before := w.Written()
	if err := w.Key([]byte("s"), keyspace.Entry{Type: keyspace.TypeStream}, -1, -1); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("stream: %v", err)
	}
	if w.Written() != before {
		t.Fatal("bytes written for a stream")
	}
}

type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestWriterStickyError(t *testing.T) {
	w := NewWriter(&failWriter{n: 10}, true)
	w.Header()
	r := rnd(1)
	big := keyspace.Entry{Type: keyspace.TypeString, Enc: keyspace.EncRaw, Str: []byte(r.word(200000))}
	err1 := w.Key([]byte("k"), big, -1, -1)
	err2 := w.Finish()
	if err1 == nil || err2 == nil || !strings.Contains(err2.Error(), "disk full") {
		t.Fatalf("errors %v, %v", err1, err2)
	}
}

// file assembles a file of the given version from raw body bytes, with a
// correct checksum for versions >= 5.
func file(ver int, body ...[]byte) []byte {
	b := []byte("REDIS" + strconv.Itoa(10000 + ver)[1:])
	for _, p := range body {
		b = append(b, p...)
	}
	b = append(b, OpEOF)
	if ver >= 5 {
		b = binaryCRC(b)
	}
	return b
}

func TestLoadOldOpcodes(t *testing.T) {
	key := append([]byte{OpExpireTime, 0x00, 0xF1, 0x53, 0x65}, TypeString, 1, 'k', 1, 'v') // 1700000000 s
	keyMs := append([]byte{OpExpireTimeMs}, binary.LittleEndian.AppendUint64(nil, 1700000000123)...)
	keyMs = append(keyMs, TypeString, 1, 'm', 0xC0, 5)
	keyNeg := append([]byte{OpExpireTimeMs}, binary.LittleEndian.AppendUint64(nil, uint64(math.MaxUint64))...)
	keyNeg = append(keyNeg, TypeString, 1, 'n', 0)
	old := []byte{OpFunction}
	old = AppendString(old, []byte("lib"))
	old = AppendString(old, []byte("LUA"))
	old = AppendLen(old, 1)
	old = AppendString(old, []byte("description"))
	old = AppendString(old, []byte("return 1"))
	// An empty list is skipped (Redis tolerates empty keys, #8453).
	empty := []byte{TypeList, 1, 'e', 0}
	for _, ver := range []int{3, 4, 9} {
		l, n, err := loadAll(file(ver, []byte{OpSelectDB, 3}, key, keyMs, keyNeg, empty, old), DefaultLimits())
		if err != nil {
			t.Fatalf("version %d: %v", ver, err)
		}
		if l.keys["3/k"].expireAt != 1700000000000 || l.keys["3/m"].expireAt != 1700000000123 || l.keys["3/n"].expireAt != 1 {
			t.Errorf("version %d: keys %v", ver, l.keys)
		}
		if l.keys["3/m"].desc != "string:5" || len(l.keys) != 3 {
			t.Errorf("keys %v", l.keys)
		}
		if len(l.funcs) != 1 || l.funcs[0] != "#!LUA name=lib\nreturn 1" {
			t.Errorf("old function %q", l.funcs)
		}
		wantN := len(file(ver, []byte{OpSelectDB, 3}, key, keyMs, keyNeg, empty, old))
		if n != wantN {
			t.Errorf("version %d: consumed %d of %d", ver, n, wantN)
		}
	}
	// Version 4 has no checksum: the file ends at EOF.
	if b := file(4); len(b) != 10 {
		t.Fatalf("v4 file %x", b)
	}
}

// Error texts of rdbLoadRioWithLoadingCtx (src/rdb.c).
func TestLoadErrors(t *testing.T) {
	lim := DefaultLimits()
	if _, err := Load([]byte("RADIS0010\xff"), lim, nil); !errors.Is(err, ErrSignature) || err.Error() != "Wrong signature trying to load DB from file" {
		t.Errorf("bad magic: %v", err)
	}
	for _, v := range []string{"0011", "0000", "abcd", "9999"} {
		_, err := Load([]byte("REDIS"+v+"\xff"), lim, nil)
		var ve *VersionError
		if !errors.As(err, &ve) {
			t.Errorf("version %s: %v", v, err)
			continue
		}
		if want := "Can't handle RDB format version " + strconv.Itoa(atoi([]byte(v))); err.Error() != want {
			t.Errorf("version %s: %q, want %q", v, err, want)
		}
	}
	if _, err := Load([]byte("REDIS"), lim, nil); !errors.Is(err, ErrTruncated) {
		t.Errorf("short header: %v", err)
	}
	var small []model
	for _, m := range testModels(4102444800000) {
		if !strings.Contains(m.key, "big") && !strings.Contains(m.key, "huge") {
			small = append(small, m)
		}
	}
	good := writeModels(t, small, true, false)
	// Every truncation is an error (the checksum or the opcodes are cut).
	for i := range len(good) - 1 {
		if _, err := Load(good[:i], lim, nil); err == nil {
			t.Fatalf("truncated to %d bytes: no error", i)
		}
	}
	// A flipped byte in the body is caught by the checksum at least.
	for i := 9; i < len(good)-8; i += 7 {
		b := slices.Clone(good)
		b[i] ^= 0x20
		if _, err := Load(b, lim, nil); err == nil {
			t.Fatalf("flip at %d: no error", i)
		}
	}
	b := slices.Clone(good)
	b[len(b)-1] ^= 1
	if _, err := Load(b, lim, nil); !errors.Is(err, ErrFileChecksum) {
		t.Errorf("bad checksum: %v", err)
	}
	// A zero checksum disables the check ("saved with checksum disabled").
	// "7.0.15" in the redis-ver AUX field becomes "7.1.15": still a valid
	// file, whose change only a checksum can catch.
	for _, noSum := range []bool{false, true} {
		b = writeModels(t, testModels(4102444800000)[:3], true, noSum)
		if string(b[21:27]) != "7.0.15" {
			t.Fatalf("unexpected layout %q", b[21:27])
		}
		b[23] = '1'
		if _, err := Load(b, lim, nil); (err == nil) != noSum {
			t.Errorf("checksum disabled=%v: %v", noSum, err)
		}
	}
	// Unsupported content.
	for _, c := range []struct {
		name string
		body []byte
		is   error
	}{
		{"stream", []byte{TypeStreamListpacks, 1, 's', 0}, ErrUnsupportedType},
		{"stream2", []byte{TypeStreamListpack2, 1, 's', 0}, ErrUnsupportedType},
		{"module", []byte{TypeModule2, 1, 'm', 0}, ErrUnsupportedType},
		{"module aux", []byte{OpModuleAux, 0x81, 1, 2, 3, 4, 5, 6, 7, 8, 2, 0}, ErrUnsupportedType},
		{"unknown type", []byte{8, 1, 'k', 0}, nil},
		{"function", []byte{OpFunction2, 0x10, 'x'}, nil},
		{"selectdb", []byte{OpSelectDB, 0x81, 1, 0, 0, 0, 0, 0, 0, 0}, nil},
		{"huge string", []byte{TypeString, 1, 'k', 0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0}, ErrTruncated},
		{"huge list", []byte{TypeList, 1, 'k', 0x80, 0x7f, 0, 0, 0}, ErrTruncated},
	} {
		_, err := Load(file(10, c.body), lim, nil)
		if err == nil || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if _, err := Load(file(10, []byte{8, 1, 'k', 0}), lim, nil); err == nil || !strings.Contains(err.Error(), "unknown RDB encoding type 8") {
		t.Errorf("unknown type: %v", err)
	}
	// Handler errors stop loading and come back unchanged.
	stop := errors.New("stop")
	if _, err := Load(good, lim, &Handler{Key: func([]byte, Object, int64, int64, int) error { return stop }}); err != stop {
		t.Errorf("handler error: %v", err)
	}
}

// Files written by real Redis load (Redis's tests/assets, version 4 to 9
// files, and a Redis 7.0.15 SAVE checked in as testdata).
func TestLoadRedisFiles(t *testing.T) {
	for _, f := range []string{"encodings", "hash-zipmap", "hash-ziplist", "list-quicklist", "zset-ziplist", "redis-7.0.15"} {
		b := mustRead(t, "testdata/"+f+".rdb")
		l, n, err := loadAll(b, DefaultLimits())
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if n != len(b) || len(l.keys) == 0 {
			t.Errorf("%s: consumed %d of %d, %d keys", f, n, len(b), len(l.keys))
		}
	}
	l, _, _ := loadAll(mustRead(t, "testdata/redis-7.0.15.rdb"), DefaultLimits())
	if l.aux["redis-ver"] != "7.0.15" || len(l.funcs) != 1 {
		t.Errorf("7.0.15 file: aux %v functions %d", l.aux, len(l.funcs))
	}
}

func FuzzLoad(f *testing.F) {
	for _, name := range []string{"redis-7.0.15", "encodings", "hash-zipmap"} {
		b, err := os.ReadFile("testdata/" + name + ".rdb")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(file(10, []byte{OpSelectDB, 0, OpExpireTimeMs, 1, 2, 3, 4, 5, 6, 7, 8, OpIdle, 5, OpFreq, 7, TypeString, 1, 'k', 1, 'v'}))
	f.Fuzz(func(t *testing.T, b []byte) {
		lim := DefaultLimits()
		keys := 0
		n, err := Load(b, lim, &Handler{Key: func(key []byte, o Object, expireAt, idle int64, freq int) error {
			keys++
			if o.Type == keyspace.TypeString && o.Value != nil {
				t.Fatal("string with a collection value")
			}
			return nil
		}})
		if err == nil && (n < 10 || n > len(b)) {
			t.Fatalf("consumed %d of %d", n, len(b))
		}
	})
}

// ---- Interop with the real redis-server 7.0.15 ----

// redisBinary returns the path of a Redis tool, skipping the test when it
// is missing (failing instead when CI is set).
func redisBinary(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if _, err2 := os.Stat("/usr/bin/" + name); err2 == nil {
			return "/usr/bin/" + name
		}
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found (required when CI is set): %v", name, err)
		}
		t.Skipf("%s not found, skipping the interop test: %v", name, err)
	}
	return p
}

type redisProc struct {
	addr string
	dir  string
}

// startRedis starts redis-server on a free loopback port with dir as its
// working directory (it loads dir/dump.rdb if present) and stops it, by
// its process handle, when the test ends.
func startRedis(t *testing.T, dir string, extra ...string) *redisProc {
	t.Helper()
	bin := redisBinary(t, "redis-server")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	logf := filepath.Join(dir, "redis-"+strconv.Itoa(port)+".log")
	args := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no", "--daemonize", "no",
		"--logfile", logf}, extra...)
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	p := &redisProc{addr: "127.0.0.1:" + strconv.Itoa(port), dir: dir}
	c := p.client(0)
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(logf)
			t.Fatalf("redis-server exited (%v):\n%s", err, log)
		default:
		}
		if c.Ping(context.Background()).Err() == nil {
			return p
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf)
			t.Fatalf("redis-server did not answer PING:\n%s", log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *redisProc) client(db int) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: p.addr, DB: db, Protocol: 2, PoolSize: 1, DisableIdentity: true})
}

// populate writes the models to Redis with commands.
func populate(t *testing.T, p *redisProc, ms []model) {
	t.Helper()
	ctx := context.Background()
	clients := map[int]*redis.Client{}
	for _, m := range ms {
		c := clients[m.db]
		if c == nil {
			c = p.client(m.db)
			defer c.Close()
			clients[m.db] = c
		}
		var cmds [][]any
		batch := func(cmd string, step int, items []string, swap bool) {
			for i := 0; i < len(items); i += 500 * step {
				args := []any{cmd, m.key}
				for j := i; j < min(i+500*step, len(items)); j += step {
					if swap {
						args = append(args, items[j+1], items[j])
					} else {
						args = append(args, anys(items[j:j+step])...)
					}
				}
				cmds = append(cmds, args)
			}
		}
		switch m.typ {
		case keyspace.TypeString:
			if m.raw {
				cmds = append(cmds, []any{"SET", m.key, m.items[0][:1]}, []any{"APPEND", m.key, m.items[0][1:]})
			} else {
				cmds = append(cmds, []any{"SET", m.key, m.items[0]})
			}
		case keyspace.TypeList:
			batch("RPUSH", 1, m.items, false)
		case keyspace.TypeSet:
			batch("SADD", 1, m.items, false)
		case keyspace.TypeHash:
			batch("HSET", 2, m.items, false)
		case keyspace.TypeZSet:
			batch("ZADD", 2, m.items, true)
		}
		if m.expire > 0 {
			cmds = append(cmds, []any{"PEXPIREAT", m.key, m.expire})
		}
		for _, args := range cmds {
			if err := c.Do(ctx, args...).Err(); err != nil {
				t.Fatalf("%v: %v", args[:2], err)
			}
		}
	}
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Redis writes, we load: every key, value, expire and function of a
// SAVE by redis-server 7.0.15 comes back, collections in the encoding
// Redis itself had (rdbLoadObject keeps small encodings).
func TestRedisSaveLoads(t *testing.T) {
	dir := t.TempDir()
	p := startRedis(t, dir, "--enable-debug-command", "yes")
	ctx := context.Background()
	c := p.client(0)
	defer c.Close()
	// Elements over 1000 bytes go to PLAIN quicklist nodes
	// (src/quicklist.c packed_threshold; DEBUG QUICKLIST-PACKED-THRESHOLD).
	if err := c.Do(ctx, "DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1000").Err(); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour).UnixMilli()
	ms := testModels(future)
	populate(t, p, ms)
	for _, f := range testFunctions {
		if err := c.FunctionLoad(ctx, string(f)).Err(); err != nil {
			t.Fatal(err)
		}
	}
	redisEnc := map[string]string{}
	for _, m := range ms {
		if m.typ == keyspace.TypeString {
			continue
		}
		cm := p.client(m.db)
		enc, err := cm.ObjectEncoding(ctx, m.key).Result()
		cm.Close()
		if err != nil {
			t.Fatal(err)
		}
		redisEnc[strconv.Itoa(m.db)+"/"+m.key] = enc
	}
	save := func() *loaded {
		t.Helper()
		if err := c.Save(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
		if err != nil {
			t.Fatal(err)
		}
		l, n, err := loadAll(b, DefaultLimits())
		if err != nil {
			t.Fatalf("load Redis's file: %v", err)
		}
		if n != len(b) {
			t.Fatalf("consumed %d of %d bytes", n, len(b))
		}
		return l
	}
	l := save()
	checkModels(t, l, ms, false)
	for k, enc := range redisEnc {
		if l.keys[k].enc != enc {
			t.Errorf("key %s: loaded as %s, Redis has %s", k, l.keys[k].enc, enc)
		}
	}
	funcs := slices.Clone(l.funcs)
	slices.Sort(funcs)
	if len(funcs) != 2 || funcs[0] != string(testFunctions[1]) || funcs[1] != string(testFunctions[0]) {
		t.Errorf("functions %q", funcs)
	}
	if l.aux["redis-ver"] != "7.0.15" || l.aux["redis-bits"] != "64" || l.aux["aof-base"] != "0" || l.aux["ctime"] == "" || l.aux["used-mem"] == "" {
		t.Errorf("aux %v", l.aux)
	}
	if !slices.Equal(l.dbs, []int{0, 1, 5}) {
		t.Errorf("dbs %v", l.dbs)
	}
	// With an LRU policy Redis saves IDLE, with an LFU one FREQ
	// (rdbSaveKeyValuePair).
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu"} {
		if err := c.ConfigSet(ctx, "maxmemory-policy", policy).Err(); err != nil {
			t.Fatal(err)
		}
		for k, lk := range save().keys {
			if lru := policy == "allkeys-lru"; (lk.idle >= 0) != lru || (lk.freq >= 0) == lru {
				t.Errorf("%s: key %s idle %d freq %d", policy, k, lk.idle, lk.freq)
				break
			}
		}
	}
}

// We write, Redis loads: redis-server 7.0.15 starts on a file from Writer
// and serves every key, expire and function; redis-check-rdb accepts it.
func TestWriterFileLoadsInRedis(t *testing.T) {
	checker := redisBinary(t, "redis-check-rdb")
	future := time.Now().Add(time.Hour).UnixMilli()
	ms := testModels(future)
	ms[0].idle = 1000
	ms[3].idle = 50
	ms[5].freq = 42
	ms[12].freq = 7
	ctx := context.Background()

	for _, c := range []struct {
		name                 string
		compress, noChecksum bool
	}{{"compressed", true, false}, {"plain-nochecksum", false, true}} {
		dir := t.TempDir()
		path := filepath.Join(dir, "dump.rdb")
		if err := os.WriteFile(path, writeModels(t, ms, c.compress, c.noChecksum), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(checker, path).CombinedOutput()
		if err != nil || !bytes.Contains(out, []byte("RDB looks OK")) {
			t.Fatalf("%s: redis-check-rdb: %v\n%s", c.name, err, out)
		}
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), writeModels(t, ms, true, false), 0o644); err != nil {
		t.Fatal(err)
	}
	// LFU counters are loaded only under an LFU policy
	// (objectSetLRUOrLFU); check them before anything touches the keys.
	lfu := startRedis(t, dir, "--maxmemory-policy", "allkeys-lfu")
	for _, m := range ms {
		if m.freq < 0 {
			continue
		}
		cm := lfu.client(m.db)
		got, err := cm.ObjectFreq(ctx, m.key).Result()
		cm.Close()
		// LFUDecrAndReturn takes one off per minute boundary crossed
		// since the load (lfu-decay-time 1).
		if err != nil || (got != int64(m.freq) && got != int64(m.freq)-1) {
			t.Errorf("OBJECT FREQ %s = %d (%v), want %d", m.key, got, err, m.freq)
		}
	}

	p := startRedis(t, dir)
	for _, m := range ms {
		if m.idle < 0 {
			continue
		}
		cm := p.client(m.db)
		got, err := cm.ObjectIdleTime(ctx, m.key).Result()
		cm.Close()
		if err != nil || got < time.Duration(m.idle)*time.Second || got > time.Duration(m.idle+30)*time.Second {
			t.Errorf("OBJECT IDLETIME %s = %v (%v), want about %ds", m.key, got, err, m.idle)
		}
	}
	sizes := map[int]int64{}
	for _, m := range ms {
		sizes[m.db]++
		k := strconv.Itoa(m.db) + "/" + m.key
		cm := p.client(m.db)
		got := redisValue(t, ctx, cm, m.key)
		e := m.entry()
		if want := describeEntry(e); got != want {
			t.Errorf("key %s in Redis\n got %.200q\nwant %.200q", k, got, want)
		}
		if m.typ != keyspace.TypeString {
			if enc, err := cm.ObjectEncoding(ctx, m.key).Result(); err != nil || enc != encodingOf(e.Type, e.Obj) {
				t.Errorf("key %s: Redis encoding %s (%v), want %s", k, enc, err, encodingOf(e.Type, e.Obj))
			}
		}
		want := int64(-1)
		if m.expire > 0 {
			want = m.expire
		}
		if got, err := cm.Do(ctx, "PEXPIRETIME", m.key).Int64(); err != nil || got != want {
			t.Errorf("key %s: PEXPIRETIME %d (%v), want %d", k, got, err, want)
		}
		cm.Close()
	}
	for db, n := range sizes {
		cm := p.client(db)
		if got, err := cm.DBSize(ctx).Result(); err != nil || got != n {
			t.Errorf("DBSIZE of db %d = %d (%v), want %d", db, got, err, n)
		}
		cm.Close()
	}
	c := p.client(0)
	defer c.Close()
	if got, err := c.Do(ctx, "FCALL", "myfunc", "0").Text(); err != nil || got != "hi" {
		t.Errorf("FCALL myfunc: %q %v", got, err)
	}
	if got, err := c.Do(ctx, "FCALL", "f2", "0").Int(); err != nil || got != 2 {
		t.Errorf("FCALL f2: %d %v", got, err)
	}
}

// redisValue reads a key with commands, in describe's form.
func redisValue(t *testing.T, ctx context.Context, c *redis.Client, key string) string {
	t.Helper()
	typ, err := c.Type(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	switch typ {
	case "string":
		v, err := c.Get(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		return "string:" + v
	case "list":
		items, err = c.LRange(ctx, key, 0, -1).Result()
	case "set":
		items, err = c.SMembers(ctx, key).Result()
		slices.Sort(items)
	case "hash":
		var kv []string
		kv, err = c.Do(ctx, "HGETALL", key).StringSlice()
		for i := 0; i+1 < len(kv); i += 2 {
			items = append(items, kv[i]+"="+kv[i+1])
		}
		slices.Sort(items)
	case "zset":
		var kv []string
		kv, err = c.Do(ctx, "ZRANGE", key, "0", "-1", "WITHSCORES").StringSlice()
		var b []byte
		for i := 0; i+1 < len(kv); i += 2 {
			sc, perr := strconv.ParseFloat(kv[i+1], 64)
			if perr != nil {
				t.Fatalf("score %q: %v", kv[i+1], perr)
			}
			if len(b) > 0 {
				b = append(b, ' ')
			}
			b = append(b, kv[i]...)
			b = append(b, '=')
			b = strconv.AppendFloat(b, sc, 'g', -1, 64)
		}
		return "zset:" + string(b)
	default:
		return "type:" + typ
	}
	if err != nil {
		t.Fatal(err)
	}
	return typ + ":" + strings.Join(items, "\x00")
}
