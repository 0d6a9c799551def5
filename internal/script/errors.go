package script

// Client-visible error texts of Redis 7.0's scripting (eval.c, script.c,
// script_lua.c, function_lua.c, functions.c), kept in one place. Texts
// that Redis formats with a variable part are built by the err* helpers
// below.
const (
	ErrNoScript          = "NOSCRIPT No matching script. Please use EVAL."
	ErrNumKeysTooBig     = "ERR Number of keys can't be greater than number of args"
	ErrNumKeysNegative   = "ERR Number of keys can't be negative"
	ErrInvalidShebang    = "ERR Invalid script shebang"
	ErrInvalidEngine     = "ERR Invalid engine in script shebang"
	ErrFunctionNotFound  = "ERR Function not found"
	ErrBadNumKeys        = "ERR Bad number of keys provided"
	ErrNotBusy           = "NOTBUSY No scripts in execution right now."
	ErrUnkillableMaster  = "UNKILLABLE The busy script was sent by a master instance in the context of replication and cannot be killed."
	ErrUnkillableWritten = "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command."
	ErrBusyScript        = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
	ErrBusyFunction      = "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE."
	ErrDebugEvalSHA      = "ERR Please use EVAL instead of EVALSHA for debugging"

	// scriptPrepareForRun (script.c).
	ErrNoCluster        = "ERR Can not run script on cluster, 'no-cluster' flag is set."
	ErrStaleNoFlag      = "MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script."
	ErrStale            = "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."
	ErrReadOnlyReplica  = "READONLY Can not run script with write flag on readonly replica"
	ErrMisconfRDB       = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts."
	ErrWriteFlagWithRO  = "ERR Can not execute a script with write flag using *_ro command."
	ErrNoGoodReplicas   = "NOREPLICAS Not enough good replicas to write."
	ErrOOMNoAllowFlag   = "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'"
	errMisconfAOFPrefix = "MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: "

	// scriptCall (script.c): the host answers a redis.call it refuses
	// with these error replies.
	ErrCallUnknown       = "ERR Unknown Redis command called from script"
	ErrCallArity         = "ERR Wrong number of args calling Redis command from script"
	ErrCallNoScript      = "ERR This Redis command is not allowed from script"
	ErrCallStale         = "ERR Can not execute the command on a stale replica"
	ErrCallWriteReadOnly = "ERR Write commands are not allowed from read-only scripts."
	ErrCallNonLocalKey   = "ERR Script attempted to access a non local key in a cluster node"
	ErrCallCrossSlot     = "ERR Script attempted to access keys that do not hash to the same slot"
	ErrCallClusterDown   = "ERR Script attempted to execute a command while the cluster is down"
	ErrCallClusterDownRO = "ERR Script attempted to execute a write command while the cluster is down and readonly"

	// functions.c and function_lua.c.
	ErrMissingLibMeta   = "ERR Missing library metadata"
	ErrInvalidLibMeta   = "ERR Invalid library metadata"
	ErrLibNameTwice     = "ERR Invalid metadata value, name argument was given multiple times"
	ErrLibNameMissing   = "ERR Library name was not given"
	ErrLibName          = "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
	ErrNoFunctions      = "ERR No functions registered"
	ErrFunctionLoadTime = "FUNCTION LOAD timeout"
)

// Messages raised inside Lua, without the "ERR " that luaPushError adds.
const (
	msgKilled          = "Script killed by user with SCRIPT KILL..."
	msgReadonly        = "Attempt to modify a readonly table"
	msgNoArgs          = "Please specify at least one argument for this redis lib call"
	msgBadArgs         = "Lua redis lib command arguments must be strings or integers"
	msgCallOutsideRun  = "redis.call/pcall can only be called inside a script invocation"
	msgWrongArgs       = "wrong number of arguments"
	msgWrongArgsOrType = "wrong number or type of arguments"
	msgStackLimit      = "reached lua stack limit"
)

// ReplyError is a client-visible error: its text is the reply as Redis
// sends it, without the leading '-'.
type ReplyError string

func (e ReplyError) Error() string { return string(e) }

func errCompileScript(msg string) ReplyError {
	return ReplyError("ERR Error compiling script (new function): " + msg)
}

func errUnexpectedEngine(engine string) ReplyError {
	return ReplyError("ERR Unexpected engine in script shebang: " + engine)
}

func errUnexpectedFlag(flag string) ReplyError {
	return ReplyError("ERR Unexpected flag in script shebang: " + flag)
}

func errUnknownShebangOption(opt string) ReplyError {
	return ReplyError("ERR Unknown lua shebang option: " + opt)
}

func errLibMetaValue(part string) ReplyError {
	return ReplyError("ERR Invalid metadata value given: " + part)
}

func errEngineNotFound(engine string) ReplyError {
	return ReplyError("ERR Engine '" + engine + "' not found")
}

func errCompileFunction(msg string) ReplyError {
	return ReplyError("ERR Error compiling function: " + msg)
}

func errRegisterFunctions(msg string) ReplyError {
	return ReplyError("ERR Error registering functions: " + msg)
}

// ErrMisconfAOF is the MISCONF reply for scripts when AOF writes fail with
// the given strerror text.
func ErrMisconfAOF(reason string) string { return errMisconfAOFPrefix + reason }

// ErrLibraryExists is FUNCTION LOAD's reply for a library name in use.
func ErrLibraryExists(name string) string { return "ERR Library '" + name + "' already exists" }

// ErrFunctionExists is FUNCTION LOAD's reply for a function name in use.
func ErrFunctionExists(name string) string { return "ERR Function " + name + " already exists" }

// ErrCallACL is scriptVerifyACL's reply; reason is getAclErrorMessage's
// text ("has no permissions to run the 'set' command").
func ErrCallACL(reason string) string { return "ERR The user executing the script " + reason }
