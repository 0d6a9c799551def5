package meta

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// getKeys answers COMMAND GETKEYS argv... as getKeysSubcommandImpl
// (src/server.c) does, given COMMAND's own arity check passed.
func getKeys(tab *Table, argv [][]byte) ([]KeyRef, error) {
	c := tab.LookupArgv(argv)
	if c == nil {
		return nil, ErrInvalidCommand
	}
	return c.Keys(argv, nil)
}

type goldenKeys struct {
	Argv []string `json:"argv"`
	Keys *[]struct {
		Key   string   `json:"key"`
		Flags []string `json:"flags"`
	} `json:"keys"`
	Error string `json:"error"`
}

// TestKeysGolden checks Keys against the answers of redis-server 7.0.15 to
// COMMAND GETKEYSANDFLAGS (testdata/getkeys.json, recorded by gen -golden
// from the cases in gen/cases.go).
func TestKeysGolden(t *testing.T) {
	tab := loadTable(t)
	data, err := os.ReadFile("testdata/getkeys.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenKeys
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, tc := range cases {
		if strings.Contains(tc.Error, "'command|getkeysandflags'") {
			continue // COMMAND's own arity error, not ours
		}
		checked++
		argv := toArgv(tc.Argv)
		keys, err := getKeys(tab, argv)
		if tc.Keys == nil {
			if err == nil || err.Error() != tc.Error {
				t.Errorf("%q: got %v, %v; want error %q", tc.Argv, keys, err, tc.Error)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: unexpected error %v", tc.Argv, err)
			continue
		}
		want := *tc.Keys
		if len(keys) != len(want) {
			t.Errorf("%q: got %d keys %v, want %d %v", tc.Argv, len(keys), keys, len(want), want)
			continue
		}
		for i, k := range keys {
			got := string(argv[k.Pos])
			flags := maskNames(uint64(k.Flags), keyFlagNames[:])
			if got != want[i].Key || strings.Join(flags, ",") != strings.Join(want[i].Flags, ",") {
				t.Errorf("%q key %d: got %q %v, want %q %v", tc.Argv, i, got, flags, want[i].Key, want[i].Flags)
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d golden cases", checked)
	}
}

// TestKeys lists key positions as COMMAND GETKEYS reports them (the keys
// of tests/unit/introspection-2.tcl in Redis 7.0.15 and testdata/getkeys.json).
func TestKeys(t *testing.T) {
	tab := loadTable(t)
	for _, tc := range []struct {
		argv string // space separated
		pos  []int
		err  error
	}{
		{"get k", []int{1}, nil},
		{"GET k", []int{1}, nil},
		{"del a b c", []int{1, 2, 3}, nil},
		{"mset a 1 b 2", []int{1, 3}, nil},
		{"mget a b c", []int{1, 2, 3}, nil},
		{"rename a b", []int{1, 2}, nil},
		{"lmove a b left right", []int{1, 2}, nil},
		{"blpop a b 0", []int{1, 2}, nil},
		{"pfmerge d a b", []int{1, 2, 3}, nil},
		{"bitop and d a b", []int{2, 3, 4}, nil},
		{"object encoding k", []int{2}, nil},
		{"memory usage k", []int{2}, nil},
		{"xgroup create k g $", []int{2}, nil},
		{"set k v", []int{1}, nil},
		{"set k v get", []int{1}, nil},
		{"bitfield k get u8 0", []int{1}, nil},
		{"sort k", []int{1}, nil},
		{"sort k by w get x store d", []int{1, 7}, nil},
		{"sort k store d1 store d2", []int{1, 5}, nil},
		{"sort k get store d", []int{1}, nil},
		{"sort_ro k by x", []int{1}, nil},
		{"zunionstore d 2 a b weights 1 2", []int{1, 3, 4}, nil},
		{"zinterstore d 1 a", []int{1, 3}, nil},
		{"zdiffstore d 2 a b", []int{1, 3, 4}, nil},
		{"zunionstore d 2abc a b", []int{3, 4, 1}, nil}, // spec fails, zunionInterDiffStoreGetKeys atoi()s
		{"zunionstore d 0 a", nil, ErrInvalidArguments},
		{"zunionstore d -1 a", nil, ErrInvalidArguments},
		{"zunionstore d 3 a b", nil, ErrInvalidArguments},
		{"zunionstore d 4294967297 a", []int{1, 3}, nil}, // (int)numkeys == 1
		{"zunion 2 a b", []int{2, 3}, nil},
		{"zdiff 0 a", nil, ErrInvalidArguments},
		{"eval s 2 a b c", []int{3, 4}, nil},
		{"eval s 0", nil, nil}, // no mandatory keys
		{"eval s 3 a b", nil, nil},
		{"eval s 1x a", []int{3}, nil},
		{"evalsha sha 1 k a", []int{3}, nil},
		{"fcall f 2 a b c", []int{3, 4}, nil},
		{"lmpop 2 a b left", []int{2, 3}, nil},
		{"lmpop 3 a left", nil, ErrInvalidArguments},
		{"blmpop 0 2 a b left", []int{3, 4}, nil},
		{"bzmpop 1.5 1 a min", []int{3}, nil},
		{"zmpop 1 a min count 2", []int{2}, nil},
		{"sintercard 2 a b", []int{2, 3}, nil},
		{"zintercard 2 a b limit 1", []int{2, 3}, nil},
		{"xread streams a b 0 0", []int{2, 3}, nil},
		{"xread count 10 block 0 streams a 0", []int{6}, nil},
		{"xread streams a b c", []int{2}, nil},
		{"xreadgroup group g c noack streams a b 0 0", []int{6, 7}, nil},
		{"georadius k 0 0 1 km store d", []int{1, 7}, nil},
		{"georadius k 0 0 1 km storedist d2 store d3", []int{1, 9, 7}, nil},
		{"georadiusbymember k m 1 km store d", []int{1, 6}, nil},
		{"migrate host 6379 k 0 1000", []int{3}, nil},
		{"migrate host 6379 _ 0 1000 copy replace auth pw keys a b", []int{11, 12}, nil},
		{"migrate host 6379 _ 0 1000 auth2 u p keys a", []int{10}, nil},
		{"migrate host 6379 x 0 1000 keys a b", nil, ErrInvalidArguments},
		{"ping", nil, ErrNoKeyArguments},
		{"keys *", nil, ErrNoKeyArguments},
		{"config get x", nil, ErrNoKeyArguments},
		{"spublish ch m", nil, ErrNoKeyArguments},
		{"get a b", nil, ErrInvalidArgCount},
		{"zunionstore d 2", nil, ErrInvalidArgCount},
		{"config nosuch", nil, ErrInvalidCommand},
		{"nosuch a", nil, ErrInvalidCommand},
	} {
		args := strings.Fields(tc.argv)
		for i, a := range args {
			if a == "_" {
				args[i] = ""
			}
		}
		argv := toArgv(args)
		keys, err := getKeys(tab, argv)
		if !errors.Is(err, tc.err) {
			t.Errorf("%s: error %v, want %v", tc.argv, err, tc.err)
			continue
		}
		var pos []int
		for _, k := range keys {
			pos = append(pos, k.Pos)
		}
		if !equalInts(pos, tc.pos) {
			t.Errorf("%s: positions %v, want %v", tc.argv, pos, tc.pos)
		}
	}
}

func TestKeysAppends(t *testing.T) {
	tab := loadTable(t)
	dst := []KeyRef{{Pos: 99}}
	dst, err := tab.Lookup([]byte("mget")).Keys(toArgv([]string{"mget", "a", "b"}), dst)
	if err != nil || len(dst) != 3 || dst[0].Pos != 99 || dst[1] != (KeyRef{1, KeyRO | KeyAccess}) {
		t.Errorf("got %v, %v", dst, err)
	}
	dst, err = tab.Lookup([]byte("zunionstore")).Keys(toArgv([]string{"zunionstore", "d", "x", "a"}), dst)
	if err != ErrInvalidArguments || len(dst) != 3 {
		t.Errorf("on error: got %v, %v", dst, err)
	}

	c := tab.Lookup([]byte("zunionstore"))
	argv := toArgv([]string{"zunionstore", "d", "2", "a", "b"})
	buf := make([]KeyRef, 0, 8)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := c.Keys(argv, buf); err != nil {
			panic("BUG: " + err.Error())
		}
	})
	if allocs != 0 {
		t.Errorf("Keys allocates %.1f times", allocs)
	}
}

// TestKeysLegacy checks getKeysFromCommand's answers (src/db.c): the
// getkeys procedure first, else the legacy range.
func TestKeysLegacy(t *testing.T) {
	tab := loadTable(t)
	for _, tc := range []struct {
		argv string
		pos  []int
	}{
		{"get k", []int{1}},
		{"mset a 1 b 2", []int{1, 3}},
		{"del a b c", []int{1, 2, 3}},
		{"spublish ch m", []int{1}},                   // not_key spec, still in the legacy range
		{"zunionstore d 2 a b", []int{3, 4, 1}},       // zunionInterDiffStoreGetKeys: sources, then destination
		{"eval s 2 a b c", []int{3, 4}},               // evalGetKeys
		{"set k v get", []int{1}},                     // setGetKeys
		{"object encoding k", []int{2}},               // legacy range of the subcommand
		{"ping", nil},                                 // no legacy range
		{"xread streams a b 0 0", []int{2, 3}},        // xreadGetKeys
		{"georadius k 0 0 1 km store d", []int{1, 7}}, // georadiusGetKeys
	} {
		argv := toArgv(strings.Fields(tc.argv))
		var pos []int
		for _, k := range tab.LookupArgv(argv).KeysLegacy(argv, nil) {
			pos = append(pos, k.Pos)
		}
		if !equalInts(pos, tc.pos) {
			t.Errorf("%s: positions %v, want %v", tc.argv, pos, tc.pos)
		}
	}
}

func TestString2ll(t *testing.T) {
	// string2ll, src/util.c.
	for s, want := range map[string]int64{
		"0": 0, "1": 1, "-1": -1, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63,
	} {
		if got, ok := string2ll([]byte(s)); !ok || got != want {
			t.Errorf("string2ll(%q) = %d, %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "-", "+1", "01", "-0", " 1", "1 ", "1x", "9223372036854775808",
		"-9223372036854775809", "99999999999999999999", "000000000000000000001", "1\x00"} {
		if got, ok := string2ll([]byte(s)); ok {
			t.Errorf("string2ll(%q) = %d, want failure", s, got)
		}
	}
}

func TestAtoi(t *testing.T) {
	// glibc atoi == (int)strtol(s, NULL, 10).
	for s, want := range map[string]int{
		"": 0, "x": 0, "12": 12, " 12": 12, "\t\n+7z": 7, "-3": -3, "2abc": 2, "4294967297": 1,
		"2147483648": -2147483648, "99999999999999999999": -1, "-99999999999999999999": 0,
		"1\x002": 1, "- 1": 0,
	} {
		if got := atoi([]byte(s)); got != want {
			t.Errorf("atoi(%q) = %d, want %d", s, got, want)
		}
	}
}

// weirdArgvs are argument vectors that exercise bounds and parsing.
var weirdArgvs = []string{
	"", "x", "x 0", "x -1", "x 1 2", "x a 99999 b", "x a -5 b c", "x a 2147483647 b",
	"x a 4294967296", "x streams", "x keys", "x a b c d e f keys", "x store", "x a b c d store",
	"x a b c d e f g h i j k l", "x 1 1 1 1 1 1 1 1 1 1", "x streams streams", "x get u8",
	"x a 1", "x a 2 b", "x 2 a", "x 1 a", "x a b c d e keys a", "x a b _ d e keys a",
}

// TestKeysNeverPanics runs every command's key finders on odd argvs.
func TestKeysNeverPanics(t *testing.T) {
	tab := loadTable(t)
	for _, c := range allCommands(tab) {
		for _, s := range weirdArgvs {
			args := strings.Fields(s)
			for i, a := range args {
				if a == "_" {
					args[i] = ""
				}
			}
			checkKeys(t, c, toArgv(args))
		}
		checkKeys(t, c, nil)
	}
}

func allCommands(tab *Table) []*Command {
	var out []*Command
	for _, c := range tab.All() {
		out = append(out, c)
		out = append(out, c.Subcommands...)
	}
	return out
}

// checkKeys runs the key finders of c on argv and checks their results
// are well formed.
func checkKeys(t *testing.T, c *Command, argv [][]byte) {
	t.Helper()
	prefix := []KeyRef{{Pos: -7}}
	keys, err := c.Keys(argv, prefix)
	if err != nil {
		switch err {
		case ErrNoKeyArguments, ErrInvalidArgCount, ErrInvalidArguments:
		default:
			t.Fatalf("%s %q: unexpected error %v", c.Name, argv, err)
		}
		if len(keys) != 1 {
			t.Fatalf("%s %q: error %v with keys %v", c.Name, argv, err, keys)
		}
	}
	for _, ks := range [][]KeyRef{keys, c.KeysWithSpecs(argv, prefix), c.KeysLegacy(argv, prefix)} {
		if len(ks) == 0 || ks[0] != prefix[0] {
			t.Fatalf("%s %q: prefix lost: %v", c.Name, argv, ks)
		}
		for _, k := range ks[1:] {
			if k.Pos < 1 || k.Pos >= len(argv) {
				t.Fatalf("%s %q: position %d out of range", c.Name, argv, k.Pos)
			}
		}
	}
}

// FuzzKeys feeds arbitrary argvs (newline-separated) to the key finders of
// the command argv names and of one more chosen by the first byte.
func FuzzKeys(f *testing.F) {
	tab := loadTable(f)
	data, err := os.ReadFile("testdata/getkeys.json")
	if err != nil {
		f.Fatal(err)
	}
	var cases []goldenKeys
	if err := json.Unmarshal(data, &cases); err != nil {
		f.Fatal(err)
	}
	for _, tc := range cases {
		f.Add(strings.Join(tc.Argv, "\n"))
	}
	all := allCommands(tab)
	f.Fuzz(func(t *testing.T, s string) {
		argv := toArgv(strings.Split(s, "\n"))
		if c := tab.LookupArgv(argv); c != nil {
			checkKeys(t, c, argv)
		}
		if len(s) > 0 {
			checkKeys(t, all[int(s[0])*7%len(all)], argv)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
