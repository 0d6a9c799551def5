package main

import (
	"fmt"
	"sort"
	"strings"
)

// The JSON model of commands.json. Package meta documents the schema and
// decodes it with its own types; this side only writes it.
//
// Maps in Redis's replies are stored as structs: the order of their fields
// is fixed by the server's code (addReplyCommandDocs, addReplyCommandArgList,
// addReplyCommandKeySpecs in src/server.c), and the converters below refuse
// any reply whose keys are not in exactly that order, so nothing about the
// order is lost. Optional string fields are omitted when Redis omits them;
// the converters refuse a present but empty string, so "" always means
// absent -- except for an argument's token, which MIGRATE has as "".

type jsonFile struct {
	Comment  string        `json:"comment"`
	Server   string        `json:"server"`
	Commands []jsonCommand `json:"commands"`
}

type jsonCommand struct {
	Name          string        `json:"name"`
	Arity         int64         `json:"arity"`
	Flags         []string      `json:"flags"`
	HiddenFlags   []string      `json:"hidden_flags,omitempty"`
	FirstKey      int64         `json:"first_key"`
	LastKey       int64         `json:"last_key"`
	Step          int64         `json:"step"`
	ACLCategories []string      `json:"acl_categories"`
	Tips          []string      `json:"tips"`
	KeySpecs      []jsonKeySpec `json:"key_specs"`
	GetKeysProc   string        `json:"getkeys_proc,omitempty"`
	Docs          jsonDocs      `json:"docs"`
	Subcommands   []jsonCommand `json:"subcommands,omitempty"`
}

type jsonKeySpec struct {
	Notes       string          `json:"notes,omitempty"`
	Flags       []string        `json:"flags"`
	BeginSearch jsonBeginSearch `json:"begin_search"`
	FindKeys    jsonFindKeys    `json:"find_keys"`
}

type jsonBeginSearch struct {
	Type      string  `json:"type"` // index, keyword or unknown
	Index     *int64  `json:"index,omitempty"`
	Keyword   *string `json:"keyword,omitempty"`
	StartFrom *int64  `json:"startfrom,omitempty"`
}

type jsonFindKeys struct {
	Type      string `json:"type"` // range, keynum or unknown
	LastKey   *int64 `json:"lastkey,omitempty"`
	KeyStep   *int64 `json:"keystep,omitempty"`
	Limit     *int64 `json:"limit,omitempty"`
	KeyNumIdx *int64 `json:"keynumidx,omitempty"`
	FirstKey  *int64 `json:"firstkey,omitempty"`
}

type jsonDocs struct {
	Summary         string       `json:"summary,omitempty"`
	Since           string       `json:"since,omitempty"`
	Group           string       `json:"group"`
	Complexity      string       `json:"complexity,omitempty"`
	DocFlags        []string     `json:"doc_flags,omitempty"`
	DeprecatedSince string       `json:"deprecated_since,omitempty"`
	ReplacedBy      string       `json:"replaced_by,omitempty"`
	History         *[][2]string `json:"history,omitempty"`
	Arguments       *[]jsonArg   `json:"arguments,omitempty"`
}

type jsonArg struct {
	Name            string     `json:"name"`
	Type            string     `json:"type"`
	KeySpecIndex    *int64     `json:"key_spec_index,omitempty"`
	Token           *string    `json:"token,omitempty"` // may be present and empty (MIGRATE has "")
	Summary         string     `json:"summary,omitempty"`
	Since           string     `json:"since,omitempty"`
	DeprecatedSince string     `json:"deprecated_since,omitempty"`
	Flags           []string   `json:"flags,omitempty"`
	Arguments       *[]jsonArg `json:"arguments,omitempty"`
}

// fields walks a RESP3 map whose keys must appear in the given order (each
// at most once, optional ones may be missing).
type fields struct {
	what  string
	order []string
	next  int
}

func (f *fields) check(key string) error {
	for f.next < len(f.order) {
		k := f.order[f.next]
		f.next++
		if k == key {
			return nil
		}
	}
	return fmt.Errorf("%s: unexpected or out-of-order field %q", f.what, key)
}

func wantKind(v value, kind byte, what string) error {
	if v.kind != kind {
		return fmt.Errorf("%s: got %s, want type %q", what, v, kind)
	}
	return nil
}

func nonEmpty(v value, what string) (string, error) {
	if err := wantKind(v, '$', what); err != nil {
		return "", err
	}
	if v.str == "" {
		return "", fmt.Errorf("%s: present but empty", what)
	}
	return v.str, nil
}

// statusSet returns the elements of a RESP3 set of simple strings.
func statusSet(v value, what string) ([]string, error) {
	if err := wantKind(v, '~', what); err != nil {
		return nil, err
	}
	out := []string{}
	for _, e := range v.elems {
		if err := wantKind(e, '+', what); err != nil {
			return nil, err
		}
		out = append(out, e.str)
	}
	return out, nil
}

func intOf(v value, what string) (int64, error) {
	if err := wantKind(v, ':', what); err != nil {
		return 0, err
	}
	return v.num, nil
}

// convertInfo turns one RESP3 COMMAND INFO entry into the JSON model.
func convertInfo(v value) (jsonCommand, error) {
	var c jsonCommand
	if v.kind != '*' || len(v.elems) != 10 {
		return c, fmt.Errorf("command info entry: got %s, want a 10-element array", v)
	}
	e := v.elems
	if err := wantKind(e[0], '$', "name"); err != nil {
		return c, err
	}
	c.Name = e[0].str
	what := "command " + c.Name
	var err error
	if c.Arity, err = intOf(e[1], what+" arity"); err != nil {
		return c, err
	}
	if c.Flags, err = statusSet(e[2], what+" flags"); err != nil {
		return c, err
	}
	if c.FirstKey, err = intOf(e[3], what+" first key"); err != nil {
		return c, err
	}
	if c.LastKey, err = intOf(e[4], what+" last key"); err != nil {
		return c, err
	}
	if c.Step, err = intOf(e[5], what+" step"); err != nil {
		return c, err
	}
	cats, err := statusSet(e[6], what+" acl categories")
	if err != nil {
		return c, err
	}
	c.ACLCategories = []string{}
	for _, cat := range cats {
		name, ok := strings.CutPrefix(cat, "@")
		if !ok {
			return c, fmt.Errorf("%s: acl category %q without @", what, cat)
		}
		c.ACLCategories = append(c.ACLCategories, name)
	}
	if err := wantKind(e[7], '~', what+" tips"); err != nil {
		return c, err
	}
	c.Tips = []string{}
	for _, t := range e[7].elems {
		s, err := nonEmpty(t, what+" tip")
		if err != nil {
			return c, err
		}
		c.Tips = append(c.Tips, s)
	}
	if err := wantKind(e[8], '~', what+" key specs"); err != nil {
		return c, err
	}
	c.KeySpecs = []jsonKeySpec{}
	for i, ks := range e[8].elems {
		spec, err := convertKeySpec(ks, fmt.Sprintf("%s key spec %d", what, i))
		if err != nil {
			return c, err
		}
		c.KeySpecs = append(c.KeySpecs, spec)
	}
	switch {
	case e[9].kind == '~' && len(e[9].elems) == 0:
		// no subcommands
	case e[9].kind == '*' && len(e[9].elems) > 0:
		for _, sv := range e[9].elems {
			sub, err := convertInfo(sv)
			if err != nil {
				return c, err
			}
			if !strings.HasPrefix(sub.Name, c.Name+"|") {
				return c, fmt.Errorf("%s: subcommand %q", what, sub.Name)
			}
			c.Subcommands = append(c.Subcommands, sub)
		}
	default:
		return c, fmt.Errorf("%s subcommands: got %s", what, e[9])
	}
	return c, nil
}

func convertKeySpec(v value, what string) (jsonKeySpec, error) {
	var ks jsonKeySpec
	if err := wantKind(v, '%', what); err != nil {
		return ks, err
	}
	f := fields{what: what, order: []string{"notes", "flags", "begin_search", "find_keys"}}
	seen := 0
	for i := 0; i < len(v.elems); i += 2 {
		if err := wantKind(v.elems[i], '$', what+" key"); err != nil {
			return ks, err
		}
		key, val := v.elems[i].str, v.elems[i+1]
		if err := f.check(key); err != nil {
			return ks, err
		}
		seen++
		var err error
		switch key {
		case "notes":
			ks.Notes, err = nonEmpty(val, what+" notes")
		case "flags":
			ks.Flags, err = statusSet(val, what+" flags")
		case "begin_search":
			ks.BeginSearch, err = convertBeginSearch(val, what+" begin_search")
		case "find_keys":
			ks.FindKeys, err = convertFindKeys(val, what+" find_keys")
		}
		if err != nil {
			return ks, err
		}
	}
	if ks.Flags == nil || ks.BeginSearch.Type == "" || ks.FindKeys.Type == "" {
		return ks, fmt.Errorf("%s: missing fields", what)
	}
	return ks, nil
}

// typedSpec splits {type: T, spec: {...}} and checks the spec's keys.
func typedSpec(v value, what string) (string, []value, error) {
	if v.kind != '%' || len(v.elems) != 4 || v.elems[0].str != "type" || v.elems[2].str != "spec" {
		return "", nil, fmt.Errorf("%s: got %s, want {type, spec}", what, v)
	}
	if err := wantKind(v.elems[1], '$', what+" type"); err != nil {
		return "", nil, err
	}
	spec := v.elems[3]
	if err := wantKind(spec, '%', what+" spec"); err != nil {
		return "", nil, err
	}
	return v.elems[1].str, spec.elems, nil
}

func specFields(kvs []value, what string, names ...string) ([]value, error) {
	if len(kvs) != 2*len(names) {
		return nil, fmt.Errorf("%s: got %d fields, want %v", what, len(kvs)/2, names)
	}
	out := make([]value, len(names))
	for i, n := range names {
		if kvs[2*i].kind != '$' || kvs[2*i].str != n {
			return nil, fmt.Errorf("%s: field %d is %s, want %q", what, i, kvs[2*i], n)
		}
		out[i] = kvs[2*i+1]
	}
	return out, nil
}

func intPtr(v value, what string) (*int64, error) {
	n, err := intOf(v, what)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func convertBeginSearch(v value, what string) (jsonBeginSearch, error) {
	var bs jsonBeginSearch
	typ, kvs, err := typedSpec(v, what)
	if err != nil {
		return bs, err
	}
	bs.Type = typ
	switch typ {
	case "unknown":
		_, err = specFields(kvs, what)
	case "index":
		var fs []value
		if fs, err = specFields(kvs, what, "index"); err == nil {
			bs.Index, err = intPtr(fs[0], what+" index")
		}
	case "keyword":
		var fs []value
		if fs, err = specFields(kvs, what, "keyword", "startfrom"); err == nil {
			var kw string
			if kw, err = nonEmpty(fs[0], what+" keyword"); err == nil {
				bs.Keyword = &kw
				bs.StartFrom, err = intPtr(fs[1], what+" startfrom")
			}
		}
	default:
		err = fmt.Errorf("%s: unknown type %q", what, typ)
	}
	return bs, err
}

func convertFindKeys(v value, what string) (jsonFindKeys, error) {
	var fk jsonFindKeys
	typ, kvs, err := typedSpec(v, what)
	if err != nil {
		return fk, err
	}
	fk.Type = typ
	switch typ {
	case "unknown":
		_, err = specFields(kvs, what)
	case "range":
		var fs []value
		if fs, err = specFields(kvs, what, "lastkey", "keystep", "limit"); err == nil {
			fk.LastKey, _ = intPtr(fs[0], what)
			fk.KeyStep, _ = intPtr(fs[1], what)
			fk.Limit, err = intPtr(fs[2], what)
			if fk.LastKey == nil || fk.KeyStep == nil {
				err = fmt.Errorf("%s: non-integer range fields", what)
			}
		}
	case "keynum":
		var fs []value
		if fs, err = specFields(kvs, what, "keynumidx", "firstkey", "keystep"); err == nil {
			fk.KeyNumIdx, _ = intPtr(fs[0], what)
			fk.FirstKey, _ = intPtr(fs[1], what)
			fk.KeyStep, err = intPtr(fs[2], what)
			if fk.KeyNumIdx == nil || fk.FirstKey == nil {
				err = fmt.Errorf("%s: non-integer keynum fields", what)
			}
		}
	default:
		err = fmt.Errorf("%s: unknown type %q", what, typ)
	}
	return fk, err
}

// convertDocs fills c.Docs (and, recursively, its subcommands' docs) from
// one RESP3 COMMAND DOCS map value.
func convertDocs(c *jsonCommand, v value) error {
	what := "docs of " + c.Name
	if err := wantKind(v, '%', what); err != nil {
		return err
	}
	f := fields{what: what, order: []string{"summary", "since", "group", "complexity", "module",
		"doc_flags", "deprecated_since", "replaced_by", "history", "arguments", "subcommands"}}
	d := &c.Docs
	sawSubs := false
	for i := 0; i < len(v.elems); i += 2 {
		if err := wantKind(v.elems[i], '$', what+" key"); err != nil {
			return err
		}
		key, val := v.elems[i].str, v.elems[i+1]
		if err := f.check(key); err != nil {
			return err
		}
		var err error
		switch key {
		case "summary":
			d.Summary, err = nonEmpty(val, what+" summary")
		case "since":
			d.Since, err = nonEmpty(val, what+" since")
		case "group":
			d.Group, err = nonEmpty(val, what+" group")
		case "complexity":
			d.Complexity, err = nonEmpty(val, what+" complexity")
		case "module":
			err = fmt.Errorf("%s: module command", what)
		case "doc_flags":
			d.DocFlags, err = statusSet(val, what+" doc_flags")
			if err == nil && len(d.DocFlags) == 0 {
				err = fmt.Errorf("%s: empty doc_flags", what)
			}
		case "deprecated_since":
			d.DeprecatedSince, err = nonEmpty(val, what+" deprecated_since")
		case "replaced_by":
			d.ReplacedBy, err = nonEmpty(val, what+" replaced_by")
		case "history":
			if err = wantKind(val, '~', what+" history"); err != nil {
				break
			}
			h := [][2]string{}
			for _, e := range val.elems {
				if e.kind != '*' || len(e.elems) != 2 || e.elems[0].kind != '$' || e.elems[1].kind != '$' {
					return fmt.Errorf("%s history entry: got %s", what, e)
				}
				h = append(h, [2]string{e.elems[0].str, e.elems[1].str})
			}
			d.History = &h
		case "arguments":
			var args []jsonArg
			args, err = convertArgs(val, what+" arguments")
			d.Arguments = &args
		case "subcommands":
			sawSubs = true
			err = convertSubDocs(c, val)
		}
		if err != nil {
			return err
		}
	}
	if d.Group == "" {
		return fmt.Errorf("%s: no group", what)
	}
	if sawSubs != (len(c.Subcommands) > 0) {
		return fmt.Errorf("%s: subcommands in DOCS and INFO disagree", what)
	}
	return nil
}

func convertSubDocs(c *jsonCommand, v value) error {
	what := "docs of " + c.Name + " subcommands"
	if err := wantKind(v, '%', what); err != nil {
		return err
	}
	if len(v.elems)/2 != len(c.Subcommands) {
		return fmt.Errorf("%s: %d in DOCS, %d in INFO", what, len(v.elems)/2, len(c.Subcommands))
	}
	for i := 0; i < len(v.elems); i += 2 {
		name := v.elems[i].str
		sub := findCommand(c.Subcommands, name)
		if sub == nil {
			return fmt.Errorf("%s: %q not in INFO", what, name)
		}
		if err := convertDocs(sub, v.elems[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func convertArgs(v value, what string) ([]jsonArg, error) {
	if err := wantKind(v, '*', what); err != nil {
		return nil, err
	}
	args := []jsonArg{}
	for i, av := range v.elems {
		a, err := convertArg(av, fmt.Sprintf("%s[%d]", what, i))
		if err != nil {
			return nil, err
		}
		args = append(args, a)
	}
	return args, nil
}

func convertArg(v value, what string) (jsonArg, error) {
	var a jsonArg
	if err := wantKind(v, '%', what); err != nil {
		return a, err
	}
	f := fields{what: what, order: []string{"name", "type", "key_spec_index", "token", "summary",
		"since", "deprecated_since", "flags", "arguments"}}
	for i := 0; i < len(v.elems); i += 2 {
		if err := wantKind(v.elems[i], '$', what+" key"); err != nil {
			return a, err
		}
		key, val := v.elems[i].str, v.elems[i+1]
		if err := f.check(key); err != nil {
			return a, err
		}
		var err error
		switch key {
		case "name":
			a.Name, err = nonEmpty(val, what+" name")
		case "type":
			a.Type, err = nonEmpty(val, what+" type")
		case "key_spec_index":
			a.KeySpecIndex, err = intPtr(val, what+" key_spec_index")
			if err == nil && *a.KeySpecIndex < 0 {
				err = fmt.Errorf("%s: negative key_spec_index", what)
			}
		case "token":
			if err = wantKind(val, '$', what+" token"); err == nil {
				tok := val.str
				a.Token = &tok
			}
		case "summary":
			a.Summary, err = nonEmpty(val, what+" summary")
		case "since":
			a.Since, err = nonEmpty(val, what+" since")
		case "deprecated_since":
			a.DeprecatedSince, err = nonEmpty(val, what+" deprecated_since")
		case "flags":
			a.Flags, err = statusSet(val, what+" flags")
			if err == nil && len(a.Flags) == 0 {
				err = fmt.Errorf("%s: empty flags", what)
			}
		case "arguments":
			var sub []jsonArg
			sub, err = convertArgs(val, what+" arguments")
			a.Arguments = &sub
		}
		if err != nil {
			return a, err
		}
	}
	if a.Name == "" || a.Type == "" {
		return a, fmt.Errorf("%s: no name or type", what)
	}
	// addReplyCommandArgList writes "arguments" exactly for these types.
	if (a.Type == "oneof" || a.Type == "block") != (a.Arguments != nil) {
		return a, fmt.Errorf("%s: arguments present iff oneof/block violated", what)
	}
	return a, nil
}

func findCommand(cs []jsonCommand, name string) *jsonCommand {
	for i := range cs {
		if cs[i].Name == name {
			return &cs[i]
		}
	}
	return nil
}

// sortCommands orders commands and subcommands by name. Redis iterates its
// command dicts in hash order, which depends on a hash seed drawn at start
// up, so any order is as good as Redis's; sorting keeps the file stable.
func sortCommands(cs []jsonCommand) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	for i := range cs {
		sortCommands(cs[i].Subcommands)
	}
}
