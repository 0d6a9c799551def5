package main

// Facts about Redis 7.0.15 that COMMAND INFO / COMMAND DOCS do not show, so
// the generator cannot capture them from the server's replies. They are
// checked against the command definitions in Redis 7.0.15's
// src/commands/*.json ("command_flags" and "get_keys_function") and, for
// the getkeys procedures, against COMMAND GETKEYSANDFLAGS of the real server
// (testdata/getkeys.json).

// hiddenFlags are command flags that addReplyFlagsForCommand (src/server.c)
// deliberately leaves out of COMMAND INFO.
var hiddenFlags = map[string][]string{
	// MAY_REPLICATE
	"eval":     {"may_replicate"},
	"evalsha":  {"may_replicate"},
	"fcall":    {"may_replicate"},
	"pfcount":  {"may_replicate"},
	"spublish": {"may_replicate"},
	"publish":  {"may_replicate", "sentinel"},
	// PROTECTED (enable-debug-command / enable-module-command)
	"debug":         {"protected"},
	"module|load":   {"protected"},
	"module|loadex": {"protected"},
	"module|unload": {"protected"},
	// SENTINEL: also served by a Redis Sentinel.
	"acl": {"sentinel"}, "acl|cat": {"sentinel"}, "acl|deluser": {"sentinel"},
	"acl|dryrun": {"sentinel"}, "acl|genpass": {"sentinel"}, "acl|getuser": {"sentinel"},
	"acl|help": {"sentinel"}, "acl|list": {"sentinel"}, "acl|load": {"sentinel"},
	"acl|log": {"sentinel"}, "acl|save": {"sentinel"}, "acl|setuser": {"sentinel"},
	"acl|users": {"sentinel"}, "acl|whoami": {"sentinel"},
	"auth":   {"sentinel"},
	"client": {"sentinel"}, "client|caching": {"sentinel"}, "client|getname": {"sentinel"},
	"client|getredir": {"sentinel"}, "client|help": {"sentinel"}, "client|id": {"sentinel"},
	"client|info": {"sentinel"}, "client|kill": {"sentinel"}, "client|list": {"sentinel"},
	"client|no-evict": {"sentinel"}, "client|pause": {"sentinel"}, "client|reply": {"sentinel"},
	"client|setname": {"sentinel"}, "client|tracking": {"sentinel"},
	"client|trackinginfo": {"sentinel"}, "client|unblock": {"sentinel"},
	"client|unpause": {"sentinel"},
	"command":        {"sentinel"}, "command|count": {"sentinel"}, "command|docs": {"sentinel"},
	"command|getkeys": {"sentinel"}, "command|getkeysandflags": {"sentinel"},
	"command|help": {"sentinel"}, "command|info": {"sentinel"}, "command|list": {"sentinel"},
	"hello": {"sentinel"}, "info": {"sentinel"}, "ping": {"sentinel"},
	"psubscribe": {"sentinel"}, "punsubscribe": {"sentinel"}, "role": {"sentinel"},
	"shutdown": {"sentinel"}, "subscribe": {"sentinel"}, "unsubscribe": {"sentinel"},
	// TOUCHES_ARBITRARY_KEYS
	"randomkey": {"touches_arbitrary_keys"},
	"scan":      {"touches_arbitrary_keys"},
}

// getKeysProcs names the native getkeys procedure (src/db.c) each command
// falls back to when its key specs are incomplete, unknown or carry
// variable flags. The names are Redis's.
var getKeysProcs = map[string]string{
	"bitfield":          "bitfieldGetKeys",
	"blmpop":            "blmpopGetKeys",
	"bzmpop":            "blmpopGetKeys",
	"eval":              "evalGetKeys",
	"eval_ro":           "evalGetKeys",
	"evalsha":           "evalGetKeys",
	"evalsha_ro":        "evalGetKeys",
	"fcall":             "functionGetKeys",
	"fcall_ro":          "functionGetKeys",
	"georadius":         "georadiusGetKeys",
	"georadiusbymember": "georadiusGetKeys",
	"lmpop":             "lmpopGetKeys",
	"migrate":           "migrateGetKeys",
	"set":               "setGetKeys",
	"sintercard":        "sintercardGetKeys",
	"sort":              "sortGetKeys",
	"sort_ro":           "sortROGetKeys",
	"xread":             "xreadGetKeys",
	"xreadgroup":        "xreadGetKeys",
	"zdiff":             "zunionInterDiffGetKeys",
	"zdiffstore":        "zunionInterDiffStoreGetKeys",
	"zinter":            "zunionInterDiffGetKeys",
	"zintercard":        "zunionInterDiffGetKeys",
	"zinterstore":       "zunionInterDiffStoreGetKeys",
	"zmpop":             "zmpopGetKeys",
	"zunion":            "zunionInterDiffGetKeys",
	"zunionstore":       "zunionInterDiffStoreGetKeys",
}
