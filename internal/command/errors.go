package command

// Client-visible error replies, Redis 7.0's exact texts (shared.* in
// server.c and the messages of t_string.c, db.c, expire.c, object.c).
const (
	ErrWrongType     = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrSyntax        = "ERR syntax error"
	ErrNotInt        = "ERR value is not an integer or out of range"
	ErrNotFloat      = "ERR value is not a valid float"
	ErrNoSuchKey     = "ERR no such key"
	ErrOutOfRange    = "ERR index out of range"
	ErrOverflow      = "ERR increment or decrement would overflow"
	ErrDBIndex       = "ERR DB index is out of range"
	ErrNoAuth        = "NOAUTH Authentication required."
	ErrSameObject    = "ERR source and destination objects are the same"
	ErrBitOffset     = "ERR bit offset is not an integer or out of range"
	ErrBitValue      = "ERR bit is not an integer or out of range"
	ErrStringTooBig  = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrNaNOrInf      = "ERR increment would produce NaN or Infinity"
	ErrNotInMulti    = "ERR Command not allowed inside a transaction"
	ErrWrongPass     = "WRONGPASS invalid username-password pair or user is disabled."
	ErrNoPasswordSet = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	ErrTimeoutNeg    = "ERR timeout is negative"
	ErrNotPositive   = "ERR value is out of range, must be positive"
)

// errWrongArity formats Redis's arity error for a command's full name
// ("get", "config|get").
func errWrongArity(fullname string) string {
	return "ERR wrong number of arguments for '" + fullname + "' command"
}

// errInvalidExpire is Redis's "invalid expire time" error.
func errInvalidExpire(cmd string) string {
	return "ERR invalid expire time in '" + cmd + "' command"
}

// Connection, server and introspection command errors (networking.c,
// server.c, config.c, debug.c, slowlog.c, latency.c, object.c).
const (
	ErrResetNotNormal = "ERR can only reset normal client connections"
	ErrProtoNotInt    = "ERR Protocol version is not an integer or out of range"
	ErrNoProto        = "NOPROTO unsupported protocol version"
	ErrHelloNoAuth    = "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"
	ErrClientName     = "ERR Client names cannot contain spaces, newlines or special characters."
	ErrNoSuchClient   = "ERR No such client"
	ErrClientID       = "ERR client-id should be greater than 0"
	ErrInvalidID      = "ERR Invalid client ID"
	ErrPauseMode      = "ERR CLIENT PAUSE mode must be WRITE or ALL"
	ErrTimeoutNotInt  = "ERR timeout is not an integer or out of range"
	ErrSlowlogCount   = "ERR count should be greater than or equal to -1"
	ErrShutdown       = "ERR Errors trying to SHUTDOWN. Check logs."
	ErrNoShutdown     = "ERR No shutdown in progress."
)

// String and bit command errors (t_string.c, bitops.c).
const (
	ErrOffsetRange      = "ERR offset is out of range"
	ErrDecrOverflow     = "ERR decrement would overflow"
	ErrLCSNotString     = "ERR The specified keys must contain string values"
	ErrLCSLenAndIdx     = "ERR If you want both the length and indexes, please just use IDX."
	ErrLCSTooLong       = "ERR String too long for LCS"
	ErrLCSTooBig        = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
	ErrBitArg           = "ERR The bit argument must be 1 or 0."
	ErrBitopNot         = "ERR BITOP NOT must be called with a single source key."
	ErrBitfieldType     = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	ErrBitfieldOverflow = "ERR Invalid OVERFLOW type specified"
	ErrBitfieldRO       = "ERR BITFIELD_RO only supports the GET subcommand"
)

// Keyspace and expire commands (db.c, expire.c, object.c).
const (
	ErrIntRange        = "ERR value is out of range, value must between -2147483648 and 2147483647"
	ErrInvalidCursor   = "ERR invalid cursor"
	ErrInvalidFirstDB  = "ERR invalid first DB index"
	ErrInvalidSecondDB = "ERR invalid second DB index"
	ErrUnknownType     = "ERR unknown type object"
	ErrExpireNXCompat  = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrExpireGTLT      = "ERR GT and LT options at the same time are not compatible"
	ErrLFUNotSelected  = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
	ErrLFUSelected     = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
)

// List command errors (t_list.c).
const (
	ErrNumkeysPositive = "ERR numkeys should be greater than 0"
	ErrCountPositive   = "ERR count should be greater than 0"
	ErrRankZero        = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	ErrCountNegative   = "ERR COUNT can't be negative"
	ErrMaxlenNegative  = "ERR MAXLEN can't be negative"
)

// Sorted set command errors (t_zset.c).
const (
	ErrZaddNXXX        = "ERR XX and NX options at the same time are not compatible"
	ErrZaddGTLTNX      = "ERR GT, LT, and/or NX options at the same time are not compatible"
	ErrZaddIncrPair    = "ERR INCR option supports a single increment-element pair"
	ErrZsetNaN         = "ERR resulting score is not a number (NaN)"
	ErrMinMaxNotFloat  = "ERR min or max is not a float"
	ErrMinMaxNotLex    = "ERR min or max not valid string range item"
	ErrWeightNotFloat  = "ERR weight value is not a float"
	ErrZLimitNegative  = "ERR LIMIT can't be negative"
	ErrZrangeLimit     = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	ErrZrangeLexScores = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
	ErrZrandRange      = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	ErrZrandOutOfRange = "ERR value is out of range"
)

// errZsetAtLeastOneKey is the numkeys error of ZUNION, ZINTER, ZDIFF, their
// *STORE forms and ZINTERCARD, for the command's full name.
func errZsetAtLeastOneKey(fullname string) string {
	return "ERR at least 1 input key is needed for '" + fullname + "' command"
}

// Pub/Sub errors (pubsub.c, server.c processCommand).
const (
	ErrSubscribeDenyBlocking  = "ERR SUBSCRIBE isn't allowed for a DENY BLOCKING client"
	ErrPSubscribeDenyBlocking = "ERR PSUBSCRIBE isn't allowed for a DENY BLOCKING client"
	ErrSSubscribeDenyBlocking = "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client"
)

// errSubscribedMode is the error of a command a RESP2 client in
// subscribed mode may not run, for the command's full name.
func errSubscribedMode(fullname string) string {
	return "ERR Can't execute '" + fullname + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
}

// Hash, set and SORT command errors (t_hash.c, t_set.c, sort.c).
const (
	ErrHashNotInt   = "ERR hash value is not an integer"
	ErrHashNotFloat = "ERR hash value is not a float"
	ErrHashNaNOrInf = "ERR value is NaN or Infinity"
	ErrNumkeysArgs  = "ERR Number of keys can't be greater than number of args"
	ErrSortScores   = "ERR One or more scores can't be converted into double"
)

// Blocking command errors (timeout.c, networking.c CLIENT UNBLOCK, blocked.c).
const (
	ErrTimeoutNotFloat = "ERR timeout is not a float or out of range"
	ErrUnblockReason   = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
	ErrUnblocked       = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
)

// Client-side caching errors (networking.c clientCommand, tracking.c).
const (
	ErrTrackingOneRedirect   = "ERR A client can only redirect to a single other client"
	ErrTrackingNoRedirect    = "ERR The client ID you want redirect to does not exist"
	ErrTrackingPrefixNoBcast = "ERR PREFIX option requires BCAST mode to be enabled"
	ErrTrackingSwitchBcast   = "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode."
	ErrTrackingOptBcast      = "ERR OPTIN and OPTOUT are not compatible with BCAST"
	ErrTrackingOptinOptout   = "ERR You can't specify both OPTIN mode and OPTOUT mode"
	ErrTrackingSwitchOpt     = "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode."
	ErrCachingNotTracking    = "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled"
	ErrCachingYesNotOptin    = "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
	ErrCachingNoNotOptout    = "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode."
)

// GEO commands (geo.c).
const (
	ErrGeoUnit            = "ERR unsupported unit provided. please use M, KM, FT, MI"
	ErrGeoRadiusNum       = "ERR need numeric radius"
	ErrGeoRadiusNeg       = "ERR radius cannot be negative"
	ErrGeoWidthNum        = "ERR need numeric width"
	ErrGeoHeightNum       = "ERR need numeric height"
	ErrGeoBoxNeg          = "ERR height or width cannot be negative"
	ErrGeoCount           = "ERR COUNT must be > 0"
	ErrGeoAnyCount        = "ERR the ANY argument requires COUNT argument"
	ErrGeoMember          = "ERR could not decode requested zset member"
	ErrGeoSearchStoreWith = "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
	ErrGeoRadiusStoreWith = "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
)

// maxmemory (server.c shared.oomerr).
const (
	ErrOOM = "OOM command not allowed when used memory > 'maxmemory'."
)
