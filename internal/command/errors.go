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
