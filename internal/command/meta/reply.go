package meta

// Writer receives replies in the client's protocol. Map and Set take the
// number of entries (a map's key-value pairs count once); a RESP2 writer
// sends them as flat arrays. *resp.Writer satisfies it.
type Writer interface {
	Array(n int)
	Map(n int)
	Set(n int)
	BulkString(s string)
	Status(s string)
	Int(n int64)
	Null()
}

// WriteInfo writes c's COMMAND INFO entry, as addReplyCommandInfo
// (src/server.c): a 10-element array of name, arity, flags (a set of status
// strings), first key, last key, step, ACL categories (a set of "@name"
// status strings), tips (a set), key specs (a set of maps) and subcommands
// (an array of entries, or an empty set when there are none). A nil c
// writes a null, as for an unknown name.
func (c *Command) WriteInfo(w Writer) {
	if c == nil {
		w.Null()
		return
	}
	w.Array(10)
	w.BulkString(c.Name)
	w.Int(int64(c.Arity))
	writeStatusSet(w, c.Flags)
	w.Int(int64(c.FirstKey))
	w.Int(int64(c.LastKey))
	w.Int(int64(c.Step))
	writeStatusSet(w, c.aclStatus)
	w.Set(len(c.Tips))
	for _, t := range c.Tips {
		w.BulkString(t)
	}
	c.writeKeySpecs(w)
	if len(c.Subcommands) == 0 {
		w.Set(0)
		return
	}
	w.Array(len(c.Subcommands))
	for _, sub := range c.Subcommands {
		sub.WriteInfo(w)
	}
}

func writeStatusSet(w Writer, list []string) {
	w.Set(len(list))
	for _, s := range list {
		w.Status(s)
	}
}

// writeKeySpecs is addReplyCommandKeySpecs.
func (c *Command) writeKeySpecs(w Writer) {
	w.Set(len(c.KeySpecs))
	for i := range c.KeySpecs {
		ks := &c.KeySpecs[i]
		if ks.Notes != "" {
			w.Map(4)
			w.BulkString("notes")
			w.BulkString(ks.Notes)
		} else {
			w.Map(3)
		}
		w.BulkString("flags")
		writeStatusSet(w, ks.Flags)

		w.BulkString("begin_search")
		w.Map(2)
		w.BulkString("type")
		w.BulkString(ks.BeginSearch.Type.String())
		w.BulkString("spec")
		switch ks.BeginSearch.Type {
		case BeginSearchIndex:
			w.Map(1)
			w.BulkString("index")
			w.Int(int64(ks.BeginSearch.Index))
		case BeginSearchKeyword:
			w.Map(2)
			w.BulkString("keyword")
			w.BulkString(ks.BeginSearch.Keyword)
			w.BulkString("startfrom")
			w.Int(int64(ks.BeginSearch.StartFrom))
		default:
			w.Map(0)
		}

		w.BulkString("find_keys")
		w.Map(2)
		w.BulkString("type")
		w.BulkString(ks.FindKeys.Type.String())
		w.BulkString("spec")
		switch ks.FindKeys.Type {
		case FindKeysRange:
			w.Map(3)
			w.BulkString("lastkey")
			w.Int(int64(ks.FindKeys.LastKey))
			w.BulkString("keystep")
			w.Int(int64(ks.FindKeys.KeyStep))
			w.BulkString("limit")
			w.Int(int64(ks.FindKeys.Limit))
		case FindKeysKeynum:
			w.Map(3)
			w.BulkString("keynumidx")
			w.Int(int64(ks.FindKeys.KeyNumIdx))
			w.BulkString("firstkey")
			w.Int(int64(ks.FindKeys.FirstKey))
			w.BulkString("keystep")
			w.Int(int64(ks.FindKeys.KeyStep))
		default:
			w.Map(0)
		}
	}
}

// WriteDocs writes the value of c's COMMAND DOCS entry (the map that
// follows its name), as addReplyCommandDocs (src/server.c). Subcommands
// are a map from full name to their own docs.
func (c *Command) WriteDocs(w Writer) {
	n := 1 // group
	for _, present := range [...]bool{
		c.Summary != "", c.Since != "", c.Complexity != "", len(c.DocFlags) > 0,
		c.DeprecatedSince != "", c.ReplacedBy != "", c.History != nil, c.Arguments != nil,
		len(c.Subcommands) > 0,
	} {
		if present {
			n++
		}
	}
	w.Map(n)
	if c.Summary != "" {
		w.BulkString("summary")
		w.BulkString(c.Summary)
	}
	if c.Since != "" {
		w.BulkString("since")
		w.BulkString(c.Since)
	}
	w.BulkString("group")
	w.BulkString(c.Group)
	if c.Complexity != "" {
		w.BulkString("complexity")
		w.BulkString(c.Complexity)
	}
	if len(c.DocFlags) > 0 {
		w.BulkString("doc_flags")
		writeStatusSet(w, c.DocFlags)
	}
	if c.DeprecatedSince != "" {
		w.BulkString("deprecated_since")
		w.BulkString(c.DeprecatedSince)
	}
	if c.ReplacedBy != "" {
		w.BulkString("replaced_by")
		w.BulkString(c.ReplacedBy)
	}
	if c.History != nil {
		w.BulkString("history")
		w.Set(len(c.History))
		for _, h := range c.History {
			w.Array(2)
			w.BulkString(h.Since)
			w.BulkString(h.Changes)
		}
	}
	if c.Arguments != nil {
		w.BulkString("arguments")
		writeArgs(w, c.Arguments)
	}
	if len(c.Subcommands) > 0 {
		w.BulkString("subcommands")
		w.Map(len(c.Subcommands))
		for _, sub := range c.Subcommands {
			w.BulkString(sub.Name)
			sub.WriteDocs(w)
		}
	}
}

// writeArgs is addReplyCommandArgList.
func writeArgs(w Writer, args []Arg) {
	w.Array(len(args))
	for i := range args {
		a := &args[i]
		n := 2
		for _, present := range [...]bool{
			a.KeySpecIndex >= 0, a.HasToken, a.Summary != "", a.Since != "",
			a.DeprecatedSince != "", len(a.Flags) > 0, a.Arguments != nil,
		} {
			if present {
				n++
			}
		}
		w.Map(n)
		w.BulkString("name")
		w.BulkString(a.Name)
		w.BulkString("type")
		w.BulkString(a.Type)
		if a.KeySpecIndex >= 0 {
			w.BulkString("key_spec_index")
			w.Int(int64(a.KeySpecIndex))
		}
		if a.HasToken {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		if a.Summary != "" {
			w.BulkString("summary")
			w.BulkString(a.Summary)
		}
		if a.Since != "" {
			w.BulkString("since")
			w.BulkString(a.Since)
		}
		if a.DeprecatedSince != "" {
			w.BulkString("deprecated_since")
			w.BulkString(a.DeprecatedSince)
		}
		if len(a.Flags) > 0 {
			w.BulkString("flags")
			writeStatusSet(w, a.Flags)
		}
		if a.Arguments != nil {
			w.BulkString("arguments")
			writeArgs(w, a.Arguments)
		}
	}
}

// WriteKeyFlags writes key flags as a set of status strings in Redis's
// order, as COMMAND GETKEYSANDFLAGS does (addReplyFlagsForKeyArgs).
func WriteKeyFlags(w Writer, flags uint32) {
	n := 0
	for bit := range keyFlagNames {
		if flags&(1<<bit) != 0 {
			n++
		}
	}
	w.Set(n)
	for bit, name := range keyFlagNames {
		if flags&(1<<bit) != 0 {
			w.Status(name)
		}
	}
}
