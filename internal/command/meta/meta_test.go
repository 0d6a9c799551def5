package meta

import (
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	tab := loadTable(t)
	// COMMAND COUNT of redis-server 7.0.15 (testdata/replies.json).
	if tab.Count() != 240 || len(tab.All()) != 240 {
		t.Errorf("Count() = %d, len(All()) = %d, want 240", tab.Count(), len(tab.All()))
	}
	for i, c := range tab.All() {
		if i > 0 && tab.All()[i-1].Name >= c.Name {
			t.Errorf("All() not sorted at %q", c.Name)
		}
		if c.Parent != nil {
			t.Errorf("%q: top-level command with a parent", c.Name)
		}
		for _, sub := range c.Subcommands {
			if sub.Parent != c || !strings.HasPrefix(sub.Name, c.Name+"|") || !sub.IsSubcommand() {
				t.Errorf("%q: bad subcommand %q", c.Name, sub.Name)
			}
		}
	}
	t1, t2 := loadTable(t), loadTable(t)
	if t1 == t2 || t1.Lookup([]byte("get")) == t2.Lookup([]byte("get")) {
		t.Error("Load returned shared state")
	}
}

func TestCommandFields(t *testing.T) {
	tab := loadTable(t)
	get := tab.Lookup([]byte("get"))
	if get == nil {
		t.Fatal("no get")
	}
	// COMMAND INFO get (redis-server 7.0.15).
	if get.Arity != 2 || get.FirstKey != 1 || get.LastKey != 1 || get.Step != 1 {
		t.Errorf("get: arity %d keys %d %d %d", get.Arity, get.FirstKey, get.LastKey, get.Step)
	}
	if get.FlagMask != FlagReadonly|FlagFast {
		t.Errorf("get: flag mask %#x", get.FlagMask)
	}
	if strings.Join(get.ACLCategories, " ") != "read string fast" {
		t.Errorf("get: acl categories %v", get.ACLCategories)
	}
	if get.Group != "string" || get.Since != "1.0.0" || get.Complexity != "O(1)" {
		t.Errorf("get docs: %q %q %q", get.Group, get.Since, get.Complexity)
	}
	if len(get.KeySpecs) != 1 || get.KeySpecs[0].FlagMask != KeyRO|KeyAccess ||
		get.KeySpecs[0].BeginSearch != (BeginSearch{Type: BeginSearchIndex, Index: 1}) ||
		get.KeySpecs[0].FindKeys != (FindKeys{Type: FindKeysRange, LastKey: 0, KeyStep: 1}) {
		t.Errorf("get key specs: %+v", get.KeySpecs)
	}
	if len(get.Arguments) != 1 || get.Arguments[0].KeySpecIndex != 0 || get.History != nil {
		t.Errorf("get arguments %+v history %+v", get.Arguments, get.History)
	}

	// Flags COMMAND INFO hides (src/commands/*.json of Redis 7.0.15).
	for name, want := range map[string]uint64{
		"eval":       FlagMayReplicate | FlagNoMandatoryKeys | FlagMovableKeys,
		"publish":    FlagMayReplicate | FlagSentinel | FlagPubsub,
		"debug":      FlagProtected | FlagAdmin,
		"scan":       FlagTouchesArbitraryKeys | FlagReadonly,
		"multi":      FlagNoscript | FlagFast,
		"blpop":      FlagBlocking | FlagWrite,
		"xreadgroup": FlagBlocking | FlagMovableKeys,
	} {
		c := tab.Lookup([]byte(name))
		if c == nil || c.FlagMask&want != want {
			t.Errorf("%s: flag mask lacks %#x", name, want)
		}
	}
	if c := tab.LookupFullName([]byte("module|load")); c == nil || c.FlagMask&FlagProtected == 0 {
		t.Error("module|load is not protected")
	}
	// Printed flags never include hidden ones.
	for _, c := range tab.All() {
		for _, f := range c.Flags {
			if FlagByName(f)&hiddenFlags != 0 {
				t.Errorf("%s prints hidden flag %s", c.Name, f)
			}
		}
	}
	if FlagName(FlagMovableKeys) != "movablekeys" || FlagName(FlagWrite|FlagFast) != "" ||
		KeyFlagName(KeyVariableFlags) != "variable_flags" || FlagByName("no_auth") != FlagNoAuth {
		t.Error("flag names")
	}

	// Docs fields of a deprecated command (COMMAND DOCS georadius).
	geo := tab.Lookup([]byte("georadius"))
	if geo.DeprecatedSince != "6.2.0" || geo.ReplacedBy == "" || len(geo.DocFlags) != 1 ||
		geo.DocFlags[0] != "deprecated" || len(geo.History) == 0 {
		t.Errorf("georadius docs: %q %q %v %v", geo.DeprecatedSince, geo.ReplacedBy, geo.DocFlags, geo.History)
	}
	// MIGRATE documents an empty token (the "" key argument).
	var emptyToken bool
	var walk func(args []Arg)
	walk = func(args []Arg) {
		for _, a := range args {
			emptyToken = emptyToken || (a.HasToken && a.Token == "")
			walk(a.Arguments)
		}
	}
	walk(tab.Lookup([]byte("migrate")).Arguments)
	if !emptyToken {
		t.Error("migrate: no empty token")
	}
}

func TestLookup(t *testing.T) {
	tab := loadTable(t)
	get := tab.Lookup([]byte("get"))
	for _, name := range []string{"GET", "Get", "gEt"} {
		if c := tab.Lookup([]byte(name)); c != get {
			t.Errorf("Lookup(%q) = %v", name, c)
		}
	}
	for _, name := range []string{"", "ge", "gett", "get ", "get\x00", "config|get", strings.Repeat("a", 100)} {
		if c := tab.Lookup([]byte(name)); c != nil {
			t.Errorf("Lookup(%q) = %q, want nil", name, c.Name)
		}
	}

	config := tab.Lookup([]byte("CONFIG"))
	cget := config.SubLookup([]byte("GeT"))
	if cget == nil || cget.Name != "config|get" || cget.Parent != config || cget.Arity != -3 {
		t.Fatalf("config|get: %+v", cget)
	}
	if get.SubLookup([]byte("x")) != nil || config.SubLookup([]byte("nosuch")) != nil {
		t.Error("SubLookup found a missing subcommand")
	}

	// lookupCommandBySds (src/server.c), as COMMAND INFO answers.
	for name, want := range map[string]*Command{
		"get": get, "GET": get, "config": config, "CONFIG|GET": cget, "config|get": cget,
		"": nil, "|get": nil, "get|": nil, "get|x": nil, "config|": nil, "config|get|x": nil, "|": nil,
	} {
		if c := tab.LookupFullName([]byte(name)); c != want {
			t.Errorf("LookupFullName(%q) = %v, want %v", name, c, want)
		}
	}

	// lookupCommand (src/server.c), as the dispatcher and COMMAND GETKEYS.
	for _, tc := range []struct {
		argv []string
		want *Command
	}{
		{[]string{"get", "k"}, get},
		{[]string{"config"}, config},
		{[]string{"config", "GET", "x"}, cget},
		{[]string{"config", "nosuch"}, nil},
		{[]string{"nosuch", "a"}, nil},
		{nil, nil},
	} {
		if c := tab.LookupArgv(toArgv(tc.argv)); c != tc.want {
			t.Errorf("LookupArgv(%q) = %v, want %v", tc.argv, c, tc.want)
		}
	}
}

func TestLookupNoAllocs(t *testing.T) {
	tab := loadTable(t)
	upper, lower, sub := []byte("ZUNIONSTORE"), []byte("zunionstore"), []byte("GET")
	config := tab.Lookup([]byte("config"))
	allocs := testing.AllocsPerRun(100, func() {
		if tab.Lookup(upper) == nil || tab.Lookup(lower) == nil || config.SubLookup(sub) == nil {
			panic("BUG: lookup failed")
		}
	})
	if allocs != 0 {
		t.Errorf("Lookup allocates %.1f times", allocs)
	}
}

func toArgv(args []string) [][]byte {
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return argv
}

func BenchmarkLookup(b *testing.B) {
	tab := loadTable(b)
	name := []byte("ZRangeByScore")
	for b.Loop() {
		tab.Lookup(name)
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLookupEveryName: every command and subcommand is found by its name
// in any case, and the IDs number them densely.
func TestLookupEveryName(t *testing.T) {
	tab := loadTable(t)
	seen := make([]bool, tab.IDs())
	for _, c := range tab.All() {
		for _, name := range []string{c.Name, strings.ToUpper(c.Name), strings.ToUpper(c.Name[:1]) + c.Name[1:]} {
			if got := tab.Lookup([]byte(name)); got != c {
				t.Errorf("Lookup(%q) = %v", name, got)
			}
		}
		if c.ID < 0 || c.ID >= len(seen) || seen[c.ID] {
			t.Fatalf("%s: ID %d repeated or out of range", c.Name, c.ID)
		}
		seen[c.ID] = true
		for _, sub := range c.Subcommands {
			_, subName, _ := strings.Cut(sub.Name, "|")
			if got := c.SubLookup([]byte(strings.ToUpper(subName))); got != sub {
				t.Errorf("SubLookup(%q) = %v", subName, got)
			}
			if sub.ID < 0 || sub.ID >= len(seen) || seen[sub.ID] {
				t.Fatalf("%s: ID %d repeated or out of range", sub.Name, sub.ID)
			}
			seen[sub.ID] = true
		}
	}
	for id, ok := range seen {
		if !ok {
			t.Errorf("no command has ID %d", id)
		}
	}
	// Names that fold to a command's under a wider case mapping than ASCII
	// letters are not commands.
	for _, name := range []string{"g\x05t", "GE\x14", "s\x05t", "@et"} {
		if c := tab.Lookup([]byte(name)); c != nil {
			t.Errorf("Lookup(%q) = %q, want nil", name, c.Name)
		}
	}
}
