// Package meta holds Redis 7.0.15's command metadata -- arity, flags, key
// specs, ACL categories, tips and documentation -- as data, and answers the
// questions the dispatcher and the COMMAND command ask of it: where are the
// keys of this argv (Command.Keys), and what do COMMAND INFO and COMMAND DOCS
// reply (Command.WriteInfo, Command.WriteDocs).
//
// The data is commands.json, captured by ./gen from a real redis-server's
// replies to COMMAND INFO and COMMAND DOCS (RESP3), plus the few facts those
// replies hide (see gen/facts.go). It is embedded and parsed by Load.
//
// # commands.json
//
//	{"comment": "...", "server": "redis 7.0.15", "commands": [Command...]}
//
// Commands and subcommands are sorted by name (Redis lists them in hash
// order, which changes from one server start to the next). A Command is
//
//	name            full lowercase name, "get" or "config|get"
//	arity           as COMMAND INFO
//	flags           command flags in COMMAND INFO's order ("write", ...)
//	hidden_flags    flags COMMAND INFO does not print ("may_replicate", ...)
//	first_key, last_key, step   the legacy key range of COMMAND INFO
//	acl_categories  without the "@" COMMAND INFO prefixes
//	tips            request/response policy tips
//	key_specs       [{notes?, flags, begin_search, find_keys}]
//	                begin_search {type: index, index} | {type: keyword, keyword, startfrom} | {type: unknown}
//	                find_keys {type: range, lastkey, keystep, limit} |
//	                          {type: keynum, keynumidx, firstkey, keystep} | {type: unknown}
//	getkeys_proc    Redis's native getkeys procedure, when it has one
//	docs            {summary?, since?, group, complexity?, doc_flags?,
//	                 deprecated_since?, replaced_by?, history? [[since, changes]...],
//	                 arguments? [Arg...]}
//	subcommands     [Command...]
//
// and an Arg is {name, type, key_spec_index?, token?, summary?, since?,
// deprecated_since?, flags?, arguments?}. A field marked ? is absent when
// Redis's reply leaves it out. The order of the fields inside the reply maps
// is fixed by Redis's code (addReplyCommandDocs, addReplyCommandArgList and
// addReplyCommandKeySpecs in src/server.c); the generator checks every reply
// against it and the Write methods reproduce it.
package meta

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

//go:generate go run ./gen -golden

//go:embed commands.json
var commandsJSON []byte

// Command flags. Their order is the order in which COMMAND INFO prints them
// (addReplyFlagsForCommand, src/server.c); FlagName gives their names.
const (
	FlagWrite uint64 = 1 << iota
	FlagReadonly
	FlagDenyOOM
	FlagModule
	FlagAdmin
	FlagPubsub
	FlagNoscript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagAsking
	FlagFast
	FlagNoAuth
	FlagMayReplicate // not printed by COMMAND INFO
	FlagSentinel     // not printed by COMMAND INFO
	FlagOnlySentinel // not printed by COMMAND INFO
	FlagNoMandatoryKeys
	FlagProtected       // not printed by COMMAND INFO
	FlagModuleGetkeys   // not printed by COMMAND INFO
	FlagModuleNoCluster // not printed by COMMAND INFO
	FlagNoAsyncLoading
	FlagNoMulti
	FlagMovableKeys
	FlagAllowBusy
	FlagTouchesArbitraryKeys // not printed by COMMAND INFO
)

// flagNames names the command flags, indexed by bit number. Read only.
var flagNames = [...]string{
	"write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
	"loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
	"may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys", "protected",
	"module_getkeys", "module_no_cluster", "no_async_loading", "no_multi", "movablekeys",
	"allow_busy", "touches_arbitrary_keys",
}

// hiddenFlags are the flags addReplyFlagsForCommand leaves out.
const hiddenFlags = FlagMayReplicate | FlagSentinel | FlagOnlySentinel | FlagProtected |
	FlagModuleGetkeys | FlagModuleNoCluster | FlagTouchesArbitraryKeys

// Key spec flags, with Redis's bit values (CMD_KEY_* in src/server.h) and in
// the order COMMAND prints them (addReplyFlagsForKeyArgs); KeyFlagName
// gives their names.
const (
	KeyRO uint32 = 1 << iota
	KeyRW
	KeyOW
	KeyRM
	KeyAccess
	KeyUpdate
	KeyInsert
	KeyDelete
	KeyNotKey
	KeyIncomplete
	KeyVariableFlags
)

// keyFlagNames names the key spec flags, indexed by bit number. Read only.
var keyFlagNames = [...]string{
	"RO", "RW", "OW", "RM", "access", "update", "insert", "delete",
	"not_key", "incomplete", "variable_flags",
}

// FlagName returns the name of a single command flag ("write" for
// FlagWrite), or "" if f is not exactly one known flag.
func FlagName(f uint64) string { return bitName(f, flagNames[:]) }

// FlagByName returns the command flag with the given name, or 0.
func FlagByName(name string) uint64 {
	if i := indexOf(flagNames[:], name); i >= 0 {
		return 1 << i
	}
	return 0
}

// KeyFlagName returns the name of a single key flag ("RW" for KeyRW), or ""
// if f is not exactly one known flag.
func KeyFlagName(f uint32) string { return bitName(uint64(f), keyFlagNames[:]) }

func bitName(f uint64, names []string) string {
	if f == 0 || f&(f-1) != 0 {
		return ""
	}
	for bit, name := range names {
		if f == 1<<bit {
			return name
		}
	}
	return ""
}

// maxNameLen bounds command and subcommand names, so lookups can lower-case
// into a stack buffer.
const maxNameLen = 64

// Table is the command table: the top-level commands, looked up by name
// without regard to case, and listed in name order.
type Table struct {
	byName map[string]*Command // lowercase name
	index  nameIndex           // byName for Lookup
	all    []*Command          // sorted by name
	count  int                 // commands and subcommands: the IDs are 0..count-1
}

// Command is one command or subcommand.
type Command struct {
	Name          string   // full lowercase name: "get", "config|get"
	Arity         int      // Redis arity: n exactly, or -n for at least n
	Flags         []string // as COMMAND INFO prints them, in its order
	FirstKey      int      // legacy key range, as COMMAND INFO prints it;
	LastKey       int      // Step 0 means there is none
	Step          int      //
	ACLCategories []string // without "@", in COMMAND INFO's order
	Tips          []string
	KeySpecs      []KeySpec
	Subcommands   []*Command // sorted by name; nil if none
	Parent        *Command   // the container command, for a subcommand
	FlagMask      uint64     // Flag* bits, hidden flags included
	// ID numbers the commands and subcommands of a table densely, from 0
	// (Table.IDs), for side tables indexed by command.
	ID int

	// Documentation, as COMMAND DOCS. A string is "" when Redis omits it;
	// History and Arguments are nil when omitted.
	Summary         string
	Since           string
	Group           string
	Complexity      string
	DocFlags        []string // "deprecated", "syscmd"
	DeprecatedSince string
	ReplacedBy      string
	History         []HistoryEntry
	Arguments       []Arg

	subName   string              // the part after "|" of a subcommand's name
	subByName map[string]*Command // lowercase subcommand name ("get")
	subIndex  nameIndex           // subByName for SubLookup
	aclStatus []string            // "@read"...
	getKeys   getKeysProc
	hasKeys   bool // doesCommandHaveKeys
	useSpecs  bool // key specs are preferred over getKeys
}

// HistoryEntry is one entry of a command's documented history.
type HistoryEntry struct {
	Since   string
	Changes string
}

// Arg documents one argument of a command (COMMAND DOCS "arguments").
type Arg struct {
	Name            string
	Type            string // string, integer, double, key, pattern, unix-time, pure-token, oneof, block
	KeySpecIndex    int    // -1 when not a key
	Token           string
	HasToken        bool // MIGRATE has a present but empty token
	Summary         string
	Since           string
	DeprecatedSince string
	Flags           []string // optional, multiple, multiple_token
	Arguments       []Arg    // non-nil exactly for oneof and block
}

// KeySpec is one key specification: where a command's keys are and how it
// accesses them.
type KeySpec struct {
	Notes       string
	Flags       []string // key flag names, in COMMAND's order
	FlagMask    uint32   // Key* bits
	BeginSearch BeginSearch
	FindKeys    FindKeys
}

// BeginSearchType says how a key spec finds its first key.
type BeginSearchType uint8

const (
	BeginSearchUnknown BeginSearchType = iota // keys cannot be found from the spec
	BeginSearchIndex                          // at a fixed argument index
	BeginSearchKeyword                        // after a keyword
)

func (t BeginSearchType) String() string {
	switch t {
	case BeginSearchIndex:
		return "index"
	case BeginSearchKeyword:
		return "keyword"
	}
	return "unknown"
}

// BeginSearch is the begin_search part of a key spec.
type BeginSearch struct {
	Type      BeginSearchType
	Index     int    // BeginSearchIndex: argv index of the first key
	Keyword   string // BeginSearchKeyword: the keyword (any case matches)
	StartFrom int    // BeginSearchKeyword: where to start; negative searches backwards from the end
}

// FindKeysType says how a key spec finds its keys after the first.
type FindKeysType uint8

const (
	FindKeysUnknown FindKeysType = iota
	FindKeysRange                // a range of arguments
	FindKeysKeynum               // an argument holds the number of keys
)

func (t FindKeysType) String() string {
	switch t {
	case FindKeysRange:
		return "range"
	case FindKeysKeynum:
		return "keynum"
	}
	return "unknown"
}

// FindKeys is the find_keys part of a key spec.
type FindKeys struct {
	Type      FindKeysType
	LastKey   int // range: last key relative to the first, or negative from the end
	KeyStep   int // range, keynum
	Limit     int // range: with LastKey -1, only 1/Limit of the remaining arguments
	KeyNumIdx int // keynum: index of the key count, relative to the first
	FirstKey  int // keynum: index of the first key, relative to the first
}

// Load parses the embedded command table. Each call returns a new Table;
// the command engine calls it once, at construction.
func Load() (*Table, error) {
	var f fileJSON
	if err := json.Unmarshal(commandsJSON, &f); err != nil {
		return nil, fmt.Errorf("cannot parse commands.json: %w", err)
	}
	t := &Table{byName: make(map[string]*Command, len(f.Commands))}
	for i := range f.Commands {
		c, err := buildCommand(&f.Commands[i], nil)
		if err != nil {
			return nil, fmt.Errorf("cannot load command table: %w", err)
		}
		if _, dup := t.byName[c.Name]; dup {
			return nil, fmt.Errorf("cannot load command table: duplicate command %q", c.Name)
		}
		t.byName[c.Name] = c
		t.all = append(t.all, c)
	}
	for i := 1; i < len(t.all); i++ {
		if t.all[i-1].Name >= t.all[i].Name {
			return nil, errors.New("cannot load command table: commands not sorted by name")
		}
	}
	t.index = newNameIndex(t.byName)
	for _, c := range t.all {
		c.ID = t.count
		t.count++
		if c.subByName != nil {
			c.subIndex = newNameIndex(c.subByName)
		}
		for _, sub := range c.Subcommands {
			sub.ID = t.count
			t.count++
		}
	}
	return t, nil
}

// All returns the top-level commands in name order. The slice is shared:
// do not modify it.
func (t *Table) All() []*Command { return t.all }

// Count is the number of top-level commands (COMMAND COUNT).
func (t *Table) Count() int { return len(t.all) }

// IDs is the number of commands and subcommands: their IDs are below it.
func (t *Table) IDs() int { return t.count }

// Lookup finds a top-level command by name, ignoring case. It does not
// allocate.
func (t *Table) Lookup(name []byte) *Command { return t.index.get(name) }

// SubLookup finds a subcommand by its own name ("get" for "config|get"),
// ignoring case. It returns nil for a command without subcommands.
func (c *Command) SubLookup(name []byte) *Command {
	if c.subByName == nil {
		return nil
	}
	return c.subIndex.get(name)
}

// LookupArgv finds the command an argv invokes, as Redis's lookupCommand:
// the subcommand named by argv[1] if argv[0] has subcommands and argv has
// two or more elements (nil if there is no such subcommand), else argv[0]'s
// command, which for a container such as CONFIG has no handler of its own.
func (t *Table) LookupArgv(argv [][]byte) *Command {
	if len(argv) == 0 {
		return nil
	}
	c := t.Lookup(argv[0])
	if c == nil || len(argv) == 1 || c.subByName == nil {
		return c
	}
	return c.SubLookup(argv[1])
}

// LookupFullName finds a command by its full name, "get" or "config|get",
// ignoring case, as Redis's lookupCommandBySds (COMMAND INFO and COMMAND
// DOCS arguments): "get|x" and "config|get|x" find nothing.
func (t *Table) LookupFullName(name []byte) *Command {
	for i, b := range name {
		if b != '|' {
			continue
		}
		c := t.Lookup(name[:i])
		if c == nil {
			return nil
		}
		sub := name[i+1:]
		for _, b := range sub {
			if b == '|' {
				return nil
			}
		}
		return c.SubLookup(sub)
	}
	return t.Lookup(name)
}

// IsSubcommand reports whether c is a subcommand ("config|get").
func (c *Command) IsSubcommand() bool { return c.Parent != nil }

// HasKeys reports whether the command can have key arguments at all, as
// Redis's doesCommandHaveKeys: a native getkeys procedure, or a key spec
// that is not marked not_key.
func (c *Command) HasKeys() bool { return c.hasKeys }

// The JSON model of commands.json.
type fileJSON struct {
	Server   string        `json:"server"`
	Commands []commandJSON `json:"commands"`
}

type commandJSON struct {
	Name          string        `json:"name"`
	Arity         int           `json:"arity"`
	Flags         []string      `json:"flags"`
	HiddenFlags   []string      `json:"hidden_flags"`
	FirstKey      int           `json:"first_key"`
	LastKey       int           `json:"last_key"`
	Step          int           `json:"step"`
	ACLCategories []string      `json:"acl_categories"`
	Tips          []string      `json:"tips"`
	KeySpecs      []keySpecJSON `json:"key_specs"`
	GetKeysProc   string        `json:"getkeys_proc"`
	Docs          docsJSON      `json:"docs"`
	Subcommands   []commandJSON `json:"subcommands"`
}

type keySpecJSON struct {
	Notes       string   `json:"notes"`
	Flags       []string `json:"flags"`
	BeginSearch struct {
		Type      string  `json:"type"`
		Index     *int    `json:"index"`
		Keyword   *string `json:"keyword"`
		StartFrom *int    `json:"startfrom"`
	} `json:"begin_search"`
	FindKeys struct {
		Type      string `json:"type"`
		LastKey   *int   `json:"lastkey"`
		KeyStep   *int   `json:"keystep"`
		Limit     *int   `json:"limit"`
		KeyNumIdx *int   `json:"keynumidx"`
		FirstKey  *int   `json:"firstkey"`
	} `json:"find_keys"`
}

type docsJSON struct {
	Summary         string       `json:"summary"`
	Since           string       `json:"since"`
	Group           string       `json:"group"`
	Complexity      string       `json:"complexity"`
	DocFlags        []string     `json:"doc_flags"`
	DeprecatedSince string       `json:"deprecated_since"`
	ReplacedBy      string       `json:"replaced_by"`
	History         *[][2]string `json:"history"`
	Arguments       *[]argJSON   `json:"arguments"`
}

type argJSON struct {
	Name            string     `json:"name"`
	Type            string     `json:"type"`
	KeySpecIndex    *int       `json:"key_spec_index"`
	Token           *string    `json:"token"`
	Summary         string     `json:"summary"`
	Since           string     `json:"since"`
	DeprecatedSince string     `json:"deprecated_since"`
	Flags           []string   `json:"flags"`
	Arguments       *[]argJSON `json:"arguments"`
}

func buildCommand(j *commandJSON, parent *Command) (*Command, error) {
	c := &Command{
		Name:            strings.ToLower(j.Name),
		Arity:           j.Arity,
		Flags:           nonNil(j.Flags),
		FirstKey:        j.FirstKey,
		LastKey:         j.LastKey,
		Step:            j.Step,
		ACLCategories:   nonNil(j.ACLCategories),
		Tips:            nonNil(j.Tips),
		Parent:          parent,
		Summary:         j.Docs.Summary,
		Since:           j.Docs.Since,
		Group:           j.Docs.Group,
		Complexity:      j.Docs.Complexity,
		DocFlags:        j.Docs.DocFlags,
		DeprecatedSince: j.Docs.DeprecatedSince,
		ReplacedBy:      j.Docs.ReplacedBy,
	}
	if c.Name != j.Name {
		return nil, fmt.Errorf("command name %q is not lowercase", j.Name)
	}
	if parent != nil {
		sub, ok := strings.CutPrefix(c.Name, parent.Name+"|")
		if !ok || sub == "" || strings.Contains(sub, "|") {
			return nil, fmt.Errorf("subcommand %q of %q", c.Name, parent.Name)
		}
		c.subName = sub
	} else if c.Name == "" || strings.Contains(c.Name, "|") {
		return nil, fmt.Errorf("command name %q", c.Name)
	}
	if len(c.Name) > maxNameLen {
		return nil, fmt.Errorf("command name %q longer than %d", c.Name, maxNameLen)
	}

	// Flags: the printed ones must be in COMMAND INFO's order, the hidden
	// ones must be hidden.
	var err error
	var visible uint64
	if visible, err = flagMask(c.Flags); err != nil {
		return nil, fmt.Errorf("command %q: %w", c.Name, err)
	}
	if visible&hiddenFlags != 0 {
		return nil, fmt.Errorf("command %q: hidden flag among printed flags", c.Name)
	}
	if !sameStrings(c.Flags, maskNames(visible, flagNames[:])) {
		return nil, fmt.Errorf("command %q: flags %v not in COMMAND INFO order", c.Name, c.Flags)
	}
	hidden, err := flagMask(j.HiddenFlags)
	if err != nil {
		return nil, fmt.Errorf("command %q: %w", c.Name, err)
	}
	if hidden&^hiddenFlags != 0 {
		return nil, fmt.Errorf("command %q: printed flag among hidden flags", c.Name)
	}
	c.FlagMask = visible | hidden

	for _, cat := range c.ACLCategories {
		c.aclStatus = append(c.aclStatus, "@"+cat)
	}
	for i := range j.KeySpecs {
		ks, err := buildKeySpec(&j.KeySpecs[i])
		if err != nil {
			return nil, fmt.Errorf("command %q key spec %d: %w", c.Name, i, err)
		}
		c.KeySpecs = append(c.KeySpecs, ks)
	}
	if j.Docs.History != nil {
		c.History = make([]HistoryEntry, 0, len(*j.Docs.History))
		for _, h := range *j.Docs.History {
			c.History = append(c.History, HistoryEntry{Since: h[0], Changes: h[1]})
		}
	}
	if j.Docs.Arguments != nil {
		if c.Arguments, err = buildArgs(*j.Docs.Arguments, len(c.KeySpecs)); err != nil {
			return nil, fmt.Errorf("command %q: %w", c.Name, err)
		}
	}
	if c.Group == "" {
		return nil, fmt.Errorf("command %q: no group", c.Name)
	}
	if j.GetKeysProc != "" {
		if c.getKeys = getKeysProcByName(j.GetKeysProc); c.getKeys == nil {
			return nil, fmt.Errorf("command %q: unknown getkeys proc %q", c.Name, j.GetKeysProc)
		}
	}
	// getKeysFromCommandWithSpecs (src/db.c) prefers the key specs when at
	// least one is a real key and none has variable flags;
	// doesCommandHaveKeys is true with a real key spec or a getkeys proc.
	var realKey bool
	var varFlags bool
	for _, ks := range c.KeySpecs {
		realKey = realKey || ks.FlagMask&KeyNotKey == 0
		varFlags = varFlags || ks.FlagMask&KeyVariableFlags != 0
	}
	c.useSpecs = realKey && !varFlags
	c.hasKeys = realKey || c.getKeys != nil

	for i := range j.Subcommands {
		sub, err := buildCommand(&j.Subcommands[i], c)
		if err != nil {
			return nil, err
		}
		if c.subByName == nil {
			c.subByName = make(map[string]*Command, len(j.Subcommands))
		}
		if _, dup := c.subByName[sub.subName]; dup {
			return nil, fmt.Errorf("duplicate subcommand %q", sub.Name)
		}
		c.subByName[sub.subName] = sub
		c.Subcommands = append(c.Subcommands, sub)
	}
	return c, nil
}

func buildKeySpec(j *keySpecJSON) (KeySpec, error) {
	ks := KeySpec{Notes: j.Notes, Flags: nonNil(j.Flags)}
	for _, name := range ks.Flags {
		bit := indexOf(keyFlagNames[:], name)
		if bit < 0 {
			return ks, fmt.Errorf("unknown key flag %q", name)
		}
		ks.FlagMask |= 1 << bit
	}
	if !sameStrings(ks.Flags, maskNames(uint64(ks.FlagMask), keyFlagNames[:])) {
		return ks, fmt.Errorf("key flags %v out of order", ks.Flags)
	}
	bs, fk := &j.BeginSearch, &j.FindKeys
	switch bs.Type {
	case "unknown":
	case "index":
		if bs.Index == nil {
			return ks, errors.New("index begin_search without index")
		}
		ks.BeginSearch = BeginSearch{Type: BeginSearchIndex, Index: *bs.Index}
	case "keyword":
		if bs.Keyword == nil || bs.StartFrom == nil {
			return ks, errors.New("keyword begin_search without keyword or startfrom")
		}
		ks.BeginSearch = BeginSearch{Type: BeginSearchKeyword, Keyword: *bs.Keyword, StartFrom: *bs.StartFrom}
	default:
		return ks, fmt.Errorf("begin_search type %q", bs.Type)
	}
	switch fk.Type {
	case "unknown":
	case "range":
		if fk.LastKey == nil || fk.KeyStep == nil || fk.Limit == nil {
			return ks, errors.New("range find_keys without lastkey, keystep or limit")
		}
		ks.FindKeys = FindKeys{Type: FindKeysRange, LastKey: *fk.LastKey, KeyStep: *fk.KeyStep, Limit: *fk.Limit}
	case "keynum":
		if fk.KeyNumIdx == nil || fk.FirstKey == nil || fk.KeyStep == nil {
			return ks, errors.New("keynum find_keys without keynumidx, firstkey or keystep")
		}
		ks.FindKeys = FindKeys{Type: FindKeysKeynum, KeyNumIdx: *fk.KeyNumIdx, FirstKey: *fk.FirstKey, KeyStep: *fk.KeyStep}
	default:
		return ks, fmt.Errorf("find_keys type %q", fk.Type)
	}
	return ks, nil
}

func buildArgs(js []argJSON, numSpecs int) ([]Arg, error) {
	args := make([]Arg, 0, len(js))
	for i := range js {
		j := &js[i]
		a := Arg{
			Name:            j.Name,
			Type:            j.Type,
			KeySpecIndex:    -1,
			Summary:         j.Summary,
			Since:           j.Since,
			DeprecatedSince: j.DeprecatedSince,
			Flags:           j.Flags,
		}
		if j.KeySpecIndex != nil {
			if *j.KeySpecIndex < 0 || *j.KeySpecIndex >= numSpecs {
				return nil, fmt.Errorf("argument %q: key_spec_index %d out of range", a.Name, *j.KeySpecIndex)
			}
			a.KeySpecIndex = *j.KeySpecIndex
		}
		if j.Token != nil {
			a.Token, a.HasToken = *j.Token, true
		}
		isContainer := a.Type == "oneof" || a.Type == "block"
		if isContainer != (j.Arguments != nil) {
			return nil, fmt.Errorf("argument %q of type %q: arguments present=%v", a.Name, a.Type, j.Arguments != nil)
		}
		if j.Arguments != nil {
			sub, err := buildArgs(*j.Arguments, numSpecs)
			if err != nil {
				return nil, err
			}
			a.Arguments = sub
		}
		args = append(args, a)
	}
	return args, nil
}

func flagMask(names []string) (uint64, error) {
	var m uint64
	for _, name := range names {
		bit := indexOf(flagNames[:], name)
		if bit < 0 {
			return 0, fmt.Errorf("unknown flag %q", name)
		}
		m |= 1 << bit
	}
	return m, nil
}

func maskNames(mask uint64, names []string) []string {
	var out []string
	for bit, name := range names {
		if mask&(1<<bit) != 0 {
			out = append(out, name)
		}
	}
	return out
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func sameStrings(a, b []string) bool {
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

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
