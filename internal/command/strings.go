package command

import (
	"bytes"
	"math"
	"math/big"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// String commands (Redis's t_string.c); the bit commands of bitops.c are
// in bits.go and registered with this group.
func stringCommands() []*Spec {
	specs := []*Spec{
		{Name: "get", Handler: getCommand},
		{Name: "set", Handler: setCommand},
		{Name: "setnx", Handler: setnxCommand},
		{Name: "setex", Handler: setexCommand},
		{Name: "psetex", Handler: psetexCommand},
		{Name: "getset", Handler: getsetCommand},
		{Name: "getdel", Handler: getdelCommand},
		{Name: "getex", Handler: getexCommand},
		{Name: "mget", Handler: mgetCommand},
		{Name: "mset", Handler: msetCommand},
		{Name: "msetnx", Handler: msetnxCommand},
		{Name: "append", Handler: appendCommand},
		{Name: "strlen", Handler: strlenCommand},
		{Name: "getrange", Handler: getrangeCommand},
		{Name: "substr", Handler: getrangeCommand},
		{Name: "setrange", Handler: setrangeCommand},
		{Name: "incr", Handler: incrCommand},
		{Name: "decr", Handler: decrCommand},
		{Name: "incrby", Handler: incrbyCommand},
		{Name: "decrby", Handler: decrbyCommand},
		{Name: "incrbyfloat", Handler: incrbyfloatCommand},
		{Name: "lcs", Handler: lcsCommand},
	}
	return append(specs, bitCommands()...)
}

// lookupKeyRead is Redis's lookupKeyRead: a lookup on behalf of a read
// that counts keyspace hits and misses and fires the keymiss event.
func lookupKeyRead(c *Ctx, key []byte) (keyspace.Entry, bool) {
	return lookupKeyReadWithFlags(c, key, 0)
}

// writeString replies with a string entry's value.
func writeString(c *Ctx, e keyspace.Entry) {
	if e.Enc == keyspace.EncInt {
		c.W.BulkInt(e.Int)
		return
	}
	c.W.Bulk(e.Str)
}

// stringBytes returns a string entry's bytes; an integer-encoded value is
// formatted into buf (Redis's getDecodedObject without the allocation).
func stringBytes(e keyspace.Entry, buf []byte) []byte {
	if e.Enc == keyspace.EncInt {
		return strconv.AppendInt(buf[:0], e.Int, 10)
	}
	return e.Str
}

// stringLen is Redis's stringObjectLen.
func stringLen(e keyspace.Entry) int {
	if e.Enc == keyspace.EncInt {
		var buf [20]byte
		return len(strconv.AppendInt(buf[:0], e.Int, 10))
	}
	return len(e.Str)
}

// cstrIs compares an argument with word as C's strcasecmp on the
// argument's C string does: bytes after a NUL are not seen.
func cstrIs(b []byte, word string) bool {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return bytesEqualFold(b, word)
}

// mustObey is Redis's mustObeyClient: writes from the master (and AOF
// replay) are applied without the size limits a user gets.
func mustObey(c *Ctx) bool {
	return c.C != nil && c.C.Flags()&FlagMaster != 0
}

// maxBulkLen is proto-max-bulk-len.
func maxBulkLen(c *Ctx) int64 {
	if c.E.Cfg == nil {
		return 512 << 20
	}
	return c.E.Cfg.ProtoMaxBulkLen.Load()
}

// checkStringLength is Redis's checkStringLength: it replies with an error
// and reports false when a string of size+add bytes would exceed
// proto-max-bulk-len (or overflow).
func checkStringLength(c *Ctx, size, add int64) bool {
	if mustObey(c) {
		return true
	}
	total := int64(uint64(size) + uint64(add))
	if total > maxBulkLen(c) || total < size || total < add {
		c.Error(ErrStringTooBig)
		return false
	}
	return true
}

// Flags of the extended SET/GETEX arguments (t_string.c's OBJ_*).
const (
	objSetNX = 1 << iota
	objSetXX
	objEX
	objPX
	objKeepTTL
	objSetGet
	objEXAT
	objPXAT
	objPersist
)

// parseExtendedStringArgs is Redis's parseExtendedStringArgumentsOrReply:
// the options of SET (forSet) or GETEX. A conflicting or unknown option is
// a syntax error. It returns the flags and the expire argument, if any.
func parseExtendedStringArgs(c *Ctx, forSet bool) (flags int, expire []byte, ok bool) {
	j := 2
	if forSet {
		j = 3
	}
	for ; j < len(c.Argv); j++ {
		opt := c.Argv[j]
		hasNext := j < len(c.Argv)-1
		switch {
		case forSet && cstrIs(opt, "nx") && flags&objSetXX == 0:
			flags |= objSetNX
		case forSet && cstrIs(opt, "xx") && flags&objSetNX == 0:
			flags |= objSetXX
		case forSet && cstrIs(opt, "get"):
			flags |= objSetGet
		case forSet && cstrIs(opt, "keepttl") && flags&(objPersist|objEX|objEXAT|objPX|objPXAT) == 0:
			flags |= objKeepTTL
		case !forSet && cstrIs(opt, "persist") && flags&(objEX|objEXAT|objPX|objPXAT|objKeepTTL) == 0:
			flags |= objPersist
		case cstrIs(opt, "ex") && flags&(objKeepTTL|objPersist|objEXAT|objPX|objPXAT) == 0 && hasNext:
			flags |= objEX
			expire = c.Argv[j+1]
			j++
		case cstrIs(opt, "px") && flags&(objKeepTTL|objPersist|objEX|objEXAT|objPXAT) == 0 && hasNext:
			flags |= objPX
			expire = c.Argv[j+1]
			j++
		case cstrIs(opt, "exat") && flags&(objKeepTTL|objPersist|objEX|objPX|objPXAT) == 0 && hasNext:
			flags |= objEXAT
			expire = c.Argv[j+1]
			j++
		case cstrIs(opt, "pxat") && flags&(objKeepTTL|objPersist|objEX|objEXAT|objPX) == 0 && hasNext:
			flags |= objPXAT
			expire = c.Argv[j+1]
			j++
		default:
			c.Error(ErrSyntax)
			return 0, nil, false
		}
	}
	return flags, expire, true
}

// expireMillis is Redis's getExpireMillisecondsOrReply: the absolute unix
// time in ms an EX/PX/EXAT/PXAT argument names (seconds when the flags
// say EX or EXAT).
func expireMillis(c *Ctx, arg []byte, flags int) (int64, bool) {
	ms, ok := parseInt(arg)
	if !ok {
		c.Error(ErrNotInt)
		return 0, false
	}
	seconds := flags&(objEX|objEXAT) != 0
	if ms <= 0 || (seconds && ms > math.MaxInt64/1000) {
		c.Error(errInvalidExpire(c.Spec.Name))
		return 0, false
	}
	if seconds {
		ms *= 1000
	}
	if flags&(objEX|objPX) != 0 {
		ms += c.Now()
	}
	if ms <= 0 {
		c.Error(errInvalidExpire(c.Spec.Name))
		return 0, false
	}
	return ms, true
}

// getGeneric is Redis's getGenericCommand: it replies with key's value or
// null, and reports false (after replying WRONGTYPE) for a non-string.
func getGeneric(c *Ctx, key []byte) bool {
	e, ok := lookupKeyRead(c, key)
	if !ok {
		c.W.Null()
		return true
	}
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return false
	}
	writeString(c, e)
	return true
}

// setGeneric is Redis's setGenericCommand, behind SET, SETNX, SETEX and
// PSETEX. intReply selects SETNX's :1/:0 replies instead of +OK/null.
func setGeneric(c *Ctx, flags int, key, val, expire []byte, intReply bool) {
	var at int64
	if expire != nil {
		var ok bool
		if at, ok = expireMillis(c, expire, flags); !ok {
			return
		}
	}
	if flags&objSetGet != 0 && !getGeneric(c, key) {
		return
	}
	// Only NX and XX need to know whether the key exists; a plain SET
	// looks the key up once, in SetString (which expires a stale key
	// first, as lookupKeyWrite would).
	if flags&(objSetNX|objSetXX) != 0 && c.DB.Exists(key) == (flags&objSetNX != 0) {
		if flags&objSetGet == 0 {
			if intReply {
				c.W.Int(0)
			} else {
				c.W.Null()
			}
		}
		return
	}
	ttl := keyspace.NoExpire
	switch {
	case expire != nil:
		// An expire already in the past is set as is: the key expires
		// on its next access, as in Redis 7.0.
		ttl = at
	case flags&objKeepTTL != 0:
		ttl = keyspace.KeepTTL
	}
	c.DB.SetString(key, val, ttl, false)
	c.Modified(key)
	c.Notify('$', "set", key)
	if expire != nil {
		c.Notify('g', "expire", key)
		// Propagated as SET key value PXAT ms: replicas and the AOF
		// expire it at the same instant.
		if c.E.propagating() {
			c.Rewrite([]byte("SET"), key, val, []byte("PXAT"), itoa(at))
		}
	} else if flags&objSetGet != 0 {
		c.rewriteWithoutGet()
	}
	if flags&objSetGet == 0 {
		if intReply {
			c.W.Int(1)
		} else {
			c.W.OK()
		}
	}
}

func getCommand(c *Ctx) { getGeneric(c, c.Argv[1]) }

// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms-ts|KEEPTTL]
func setCommand(c *Ctx) {
	if len(c.Argv) == 3 { // the common case, without option parsing
		setGeneric(c, 0, c.Argv[1], c.Argv[2], nil, false)
		return
	}
	flags, expire, ok := parseExtendedStringArgs(c, true)
	if !ok {
		return
	}
	setGeneric(c, flags, c.Argv[1], c.Argv[2], expire, false)
}

func setnxCommand(c *Ctx) { setGeneric(c, objSetNX, c.Argv[1], c.Argv[2], nil, true) }

func setexCommand(c *Ctx) { setGeneric(c, objEX, c.Argv[1], c.Argv[3], c.Argv[2], false) }

func psetexCommand(c *Ctx) { setGeneric(c, objPX, c.Argv[1], c.Argv[3], c.Argv[2], false) }

func getsetCommand(c *Ctx) {
	key := c.Argv[1]
	if !getGeneric(c, key) {
		return
	}
	c.DB.SetString(key, c.Argv[2], keyspace.NoExpire, false)
	c.Modified(key)
	c.Notify('$', "set", key)
}

func getdelCommand(c *Ctx) {
	key := c.Argv[1]
	if !getGeneric(c, key) {
		return
	}
	if c.DB.Delete(key) {
		c.Modified(key)
		c.Notify('g', "del", key)
		c.Rewrite([]byte("DEL"), key)
	}
}

// GETEX key [EX s|PX ms|EXAT ts|PXAT ms-ts|PERSIST]
func getexCommand(c *Ctx) {
	flags, expire, ok := parseExtendedStringArgs(c, false)
	if !ok {
		return
	}
	key := c.Argv[1]
	e, found := lookupKeyRead(c, key)
	if !found {
		c.W.Null()
		return
	}
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return
	}
	var at int64
	if expire != nil {
		if at, ok = expireMillis(c, expire, flags); !ok {
			return
		}
	}
	writeString(c, e)
	switch {
	case flags&(objEXAT|objPXAT) != 0 && at <= c.Now():
		// An absolute time already past deletes the key.
		c.DB.Delete(key)
		c.Modified(key)
		c.Notify('g', "del", key)
		c.Rewrite(delCommandName(c), key)
	case expire != nil:
		c.DB.SetExpire(key, at)
		c.Modified(key)
		c.Notify('g', "expire", key)
		if c.E.propagating() {
			c.Rewrite([]byte("PEXPIREAT"), key, itoa(at))
		}
	case flags&objPersist != 0:
		if c.DB.Persist(key) {
			c.Modified(key)
			c.Notify('g', "persist", key)
			c.Rewrite([]byte("PERSIST"), key)
		}
	}
}

func mgetCommand(c *Ctx) {
	c.W.Array(len(c.Argv) - 1)
	for _, key := range c.Argv[1:] {
		e, ok := lookupKeyRead(c, key)
		if !ok || e.Type != keyspace.TypeString {
			c.W.Null()
			continue
		}
		writeString(c, e)
	}
}

func msetCommand(c *Ctx) { msetGeneric(c, false) }

func msetnxCommand(c *Ctx) { msetGeneric(c, true) }

// msetGeneric is Redis's msetGenericCommand: with nx nothing is set if any
// of the keys exists.
func msetGeneric(c *Ctx, nx bool) {
	if len(c.Argv)%2 == 0 {
		c.WrongArity()
		return
	}
	if nx {
		for j := 1; j < len(c.Argv); j += 2 {
			if c.DB.Exists(c.Argv[j]) {
				c.W.Int(0)
				return
			}
		}
	}
	for j := 1; j < len(c.Argv); j += 2 {
		c.DB.SetString(c.Argv[j], c.Argv[j+1], keyspace.NoExpire, false)
		c.Modified(c.Argv[j])
		c.Notify('$', "set", c.Argv[j])
	}
	if nx {
		c.W.Int(1)
	} else {
		c.W.OK()
	}
}

func appendCommand(c *Ctx) {
	key, arg := c.Argv[1], c.Argv[2]
	var total int
	e, found := c.DB.Lookup(key)
	if !found {
		c.DB.SetString(key, arg, keyspace.NoExpire, false)
		total = len(arg)
	} else {
		if e.Type != keyspace.TypeString {
			c.Error(ErrWrongType)
			return
		}
		var buf [20]byte
		old := stringBytes(e, buf[:0])
		if !checkStringLength(c, int64(len(old)), int64(len(arg))) {
			return
		}
		total = len(old) + len(arg)
		// Appending turns the value into a raw string (Redis's
		// dbUnshareStringValue), even when nothing is appended.
		if len(arg) > 0 || e.Enc != keyspace.EncRaw {
			nv := make([]byte, total)
			copy(nv, old)
			copy(nv[len(old):], arg)
			c.DB.SetString(key, nv, keyspace.KeepTTL, true)
		}
	}
	c.Modified(key)
	c.Notify('$', "append", key)
	c.W.Int(int64(total))
}

func strlenCommand(c *Ctx) {
	e, ok := lookupKeyRead(c, c.Argv[1])
	if !ok {
		c.W.Int(0)
		return
	}
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return
	}
	c.W.Int(int64(stringLen(e)))
}

// GETRANGE key start end (and its old name SUBSTR).
func getrangeCommand(c *Ctx) {
	start, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	end, ok := parseInt(c.Argv[3])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	e, found := lookupKeyRead(c, c.Argv[1])
	if !found {
		c.W.Bulk(nil)
		return
	}
	if e.Type != keyspace.TypeString {
		c.Error(ErrWrongType)
		return
	}
	var buf [20]byte
	s := stringBytes(e, buf[:0])
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		c.W.Bulk(nil)
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if end < 0 {
		end = 0
	}
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.W.Bulk(nil)
		return
	}
	c.W.Bulk(s[start : end+1])
}

func setrangeCommand(c *Ctx) {
	key, value := c.Argv[1], c.Argv[3]
	offset, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if offset < 0 {
		c.Error(ErrOffsetRange)
		return
	}
	e, found := c.DB.Lookup(key)
	var nv []byte
	if !found {
		if len(value) == 0 {
			c.W.Int(0)
			return
		}
		if !checkStringLength(c, offset, int64(len(value))) {
			return
		}
		nv = make([]byte, int(offset)+len(value))
		copy(nv[offset:], value)
		c.DB.SetString(key, nv, keyspace.NoExpire, true)
	} else {
		if e.Type != keyspace.TypeString {
			c.Error(ErrWrongType)
			return
		}
		var buf [20]byte
		old := stringBytes(e, buf[:0])
		if len(value) == 0 {
			c.W.Int(int64(len(old)))
			return
		}
		if !checkStringLength(c, offset, int64(len(value))) {
			return
		}
		n := max(len(old), int(offset)+len(value))
		nv = make([]byte, n)
		copy(nv, old)
		copy(nv[offset:], value)
		c.DB.SetString(key, nv, keyspace.KeepTTL, true)
	}
	c.Modified(key)
	c.Notify('$', "setrange", key)
	c.W.Int(int64(len(nv)))
}

func incrCommand(c *Ctx) { incrDecr(c, 1) }

func decrCommand(c *Ctx) { incrDecr(c, -1) }

func incrbyCommand(c *Ctx) {
	incr, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	incrDecr(c, incr)
}

func decrbyCommand(c *Ctx) {
	incr, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrNotInt)
		return
	}
	if incr == math.MinInt64 {
		c.Error(ErrDecrOverflow)
		return
	}
	incrDecr(c, -incr)
}

// incrDecr is Redis's incrDecrCommand. The result is stored as an
// integer and keeps the key's TTL (dbOverwrite).
func incrDecr(c *Ctx, incr int64) {
	key := c.Argv[1]
	var v int64
	if e, found := c.DB.Lookup(key); found {
		if e.Type != keyspace.TypeString {
			c.Error(ErrWrongType)
			return
		}
		if e.Enc == keyspace.EncInt {
			v = e.Int
		} else {
			var ok bool
			if v, ok = parseInt(e.Str); !ok {
				c.Error(ErrNotInt)
				return
			}
		}
	}
	if (incr < 0 && v < 0 && incr < math.MinInt64-v) || (incr > 0 && v > 0 && incr > math.MaxInt64-v) {
		c.Error(ErrOverflow)
		return
	}
	v += incr
	c.DB.SetInt(key, v, keyspace.KeepTTL)
	c.Modified(key)
	c.Notify('$', "incrby", key)
	c.W.Int(v)
}

func incrbyfloatCommand(c *Ctx) {
	key := c.Argv[1]
	var value, incr longDouble
	e, found := c.DB.Lookup(key)
	if found {
		if e.Type != keyspace.TypeString {
			c.Error(ErrWrongType)
			return
		}
		if e.Enc == keyspace.EncInt {
			value.f.SetInt64(e.Int)
		} else if !value.parse(e.Str) {
			c.Error(ErrNotFloat)
			return
		}
	}
	if !incr.parse(c.Argv[2]) {
		c.Error(ErrNotFloat)
		return
	}
	if !value.add(&incr) {
		c.Error(ErrNaNOrInf)
		return
	}
	s := value.appendHuman(nil)
	c.DB.SetEmbstr(key, s, keyspace.KeepTTL) // Redis stores it as embstr, never int
	c.Modified(key)
	c.Notify('$', "incrbyfloat", key)
	// Propagated as SET ... KEEPTTL: a replica must not redo the float
	// arithmetic, whose precision may differ.
	c.Rewrite([]byte("SET"), key, s, []byte("KEEPTTL"))
	c.W.Bulk(s)
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
func lcsCommand(c *Ctx) {
	ea, okA := lookupKeyRead(c, c.Argv[1])
	eb, okB := lookupKeyRead(c, c.Argv[2])
	if (okA && ea.Type != keyspace.TypeString) || (okB && eb.Type != keyspace.TypeString) {
		c.Error(ErrLCSNotString)
		return
	}
	var bufA, bufB [20]byte
	var a, b []byte
	if okA {
		a = stringBytes(ea, bufA[:0])
	}
	if okB {
		b = stringBytes(eb, bufB[:0])
	}
	var getLen, getIdx, withMatchLen bool
	var minMatchLen int64
	for j := 3; j < len(c.Argv); j++ {
		opt := c.Argv[j]
		switch {
		case cstrIs(opt, "idx"):
			getIdx = true
		case cstrIs(opt, "len"):
			getLen = true
		case cstrIs(opt, "withmatchlen"):
			withMatchLen = true
		case cstrIs(opt, "minmatchlen") && j < len(c.Argv)-1:
			n, ok := parseInt(c.Argv[j+1])
			if !ok {
				c.Error(ErrNotInt)
				return
			}
			minMatchLen = max(n, 0)
			j++
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if getLen && getIdx {
		c.Error(ErrLCSLenAndIdx)
		return
	}
	if uint64(len(a)) >= math.MaxUint32-1 || uint64(len(b)) >= math.MaxUint32-1 {
		c.Error(ErrLCSTooLong)
		return
	}
	alen, blen := len(a), len(b)
	if uint64(alen+1)*uint64(blen+1)*4 > uint64(maxBulkLen(c)) {
		c.Error(ErrLCSTooBig)
		return
	}
	// lcs[i*(blen+1)+j] is the LCS length of a[:i] and b[:j].
	w := blen + 1
	lcs := make([]uint32, (alen+1)*w)
	for i := 1; i <= alen; i++ {
		for j := 1; j <= blen; j++ {
			switch {
			case a[i-1] == b[j-1]:
				lcs[i*w+j] = lcs[(i-1)*w+j-1] + 1
			case lcs[(i-1)*w+j] > lcs[i*w+j-1]:
				lcs[i*w+j] = lcs[(i-1)*w+j]
			default:
				lcs[i*w+j] = lcs[i*w+j-1]
			}
		}
	}
	total := lcs[alen*w+blen]
	if getLen {
		c.W.Int(int64(total))
		return
	}
	// Walk back from the end, building the LCS string and, for IDX, the
	// matching ranges (emitted from the last one to the first).
	result := make([]byte, total)
	var mark resp.Deferred
	if getIdx {
		c.W.Map(2)
		c.W.BulkString("matches")
		mark = c.W.Defer()
	}
	idx := int(total)
	arangeStart, arangeEnd, brangeStart, brangeEnd := alen, 0, 0, 0 // arangeStart==alen: no range
	ranges := 0
	i, j := alen, blen
	for i > 0 && j > 0 {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if arangeStart == alen {
				arangeStart, arangeEnd = i-1, i-1
				brangeStart, brangeEnd = j-1, j-1
			} else if arangeStart == i && brangeStart == j {
				arangeStart--
				brangeStart--
			} else {
				emit = true
			}
			if arangeStart == 0 || brangeStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if lcs[(i-1)*w+j] > lcs[i*w+j-1] {
				i--
			} else {
				j--
			}
			if arangeStart != alen {
				emit = true
			}
		}
		if emit {
			matchLen := arangeEnd - arangeStart + 1
			if getIdx && (minMatchLen == 0 || int64(matchLen) >= minMatchLen) {
				if withMatchLen {
					c.W.Array(3)
				} else {
					c.W.Array(2)
				}
				c.W.Array(2)
				c.W.Int(int64(arangeStart))
				c.W.Int(int64(arangeEnd))
				c.W.Array(2)
				c.W.Int(int64(brangeStart))
				c.W.Int(int64(brangeEnd))
				if withMatchLen {
					c.W.Int(int64(matchLen))
				}
				ranges++
			}
			arangeStart = alen
		}
	}
	if getIdx {
		c.W.FinishArray(mark, ranges)
		c.W.BulkString("len")
		c.W.Int(int64(total))
		return
	}
	c.W.Bulk(result)
}

// longDouble emulates the C long double of Redis's INCRBYFLOAT on x86-64:
// the x87 80-bit extended format, a 64-bit significand and a 15-bit
// exponent, round to nearest even. f holds a finite value rounded to that
// format; inf is +1 or -1 for the infinities strtold accepts.
type longDouble struct {
	f   big.Float
	inf int
}

// Limits of the x87 extended format, as big.Float exponents (x =
// mant × 2^exp with 0.5 <= mant < 1).
const (
	ldPrec   = 64
	ldMaxExp = 16384  // largest finite: (1-2^-64) × 2^16384
	ldMinExp = -16381 // smallest normal: 0.5 × 2^-16381 = 2^-16382
	ldTiny   = -16445 // the smallest denormal is 2^-16445
	// ldMaxChars is Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are refused.
	ldMaxChars = 5 * 1024
)

// round rounds the exact value x into d, as the FPU would store it,
// including denormals and overflow to infinity. x is not modified.
func (d *longDouble) round(x *big.Float) {
	d.inf = 0
	d.f.SetMode(big.ToNearestEven).SetPrec(ldPrec).Set(x)
	if d.f.Sign() == 0 {
		return
	}
	if exp := d.f.MantExp(nil); exp < ldMinExp {
		d.roundDenormal(x)
	}
	if d.f.MantExp(nil) > ldMaxExp {
		d.inf = d.f.Sign()
	}
}

// roundDenormal rounds x, below the normal range, to the multiple of
// 2^ldTiny nearest to it.
func (d *longDouble) roundDenormal(x *big.Float) {
	exp := x.MantExp(nil)
	p := ldPrec - (ldMinExp - exp)
	if p >= 1 {
		d.f.SetPrec(uint(p)).Set(x)
		d.f.SetPrec(ldPrec)
		return
	}
	// |x| < 2^(ldTiny): either zero or the smallest denormal.
	var half, ax big.Float
	half.SetMantExp(big.NewFloat(0.5), ldTiny) // 2^(ldTiny-1)
	ax.Abs(x)
	neg := x.Signbit()
	if ax.Cmp(&half) > 0 {
		d.f.SetMantExp(big.NewFloat(0.5), ldTiny+1)
	} else {
		d.f.SetFloat64(0)
	}
	if neg {
		d.f.Neg(&d.f)
	}
	d.f.SetPrec(ldPrec)
}

// parse is Redis's string2ld (strtold on the whole argument): decimal or
// hexadecimal floats with an optional sign and exponent, "inf" and
// "infinity"; no spaces, no trailing bytes; NaN, and values whose
// conversion overflows or underflows to zero, are refused.
func (d *longDouble) parse(s []byte) bool {
	if len(s) == 0 || len(s) >= ldMaxChars {
		return false
	}
	neg := false
	p := s
	if p[0] == '+' || p[0] == '-' {
		neg = p[0] == '-'
		p = p[1:]
	}
	d.inf = 0
	if bytesEqualFold(p, "inf") || bytesEqualFold(p, "infinity") {
		d.inf = 1
		if neg {
			d.inf = -1
		}
		return true
	}
	var exact big.Float
	var ok bool
	if len(p) > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') {
		ok = parseHexFloat(&exact, p[2:])
	} else {
		ok = parseDecFloat(&exact, p)
	}
	if !ok {
		return false
	}
	if neg {
		exact.Neg(&exact)
	}
	d.round(&exact)
	if d.inf != 0 {
		return false
	}
	if d.f.Sign() == 0 && exact.Sign() != 0 {
		return false
	}
	return true
}

// parseHexFloat reads hexdigits[.hexdigits][p[+-]digits] (after "0x")
// exactly into x.
func parseHexFloat(x *big.Float, s []byte) bool {
	var mant big.Int
	digits, frac := 0, 0
	seenDot := false
	i := 0
	for ; i < len(s); i++ {
		ch := s[i]
		var v byte
		switch {
		case ch >= '0' && ch <= '9':
			v = ch - '0'
		case ch >= 'a' && ch <= 'f':
			v = ch - 'a' + 10
		case ch >= 'A' && ch <= 'F':
			v = ch - 'A' + 10
		case ch == '.' && !seenDot:
			seenDot = true
			continue
		default:
			goto exponent
		}
		mant.Lsh(&mant, 4)
		mant.Or(&mant, big.NewInt(int64(v)))
		digits++
		if seenDot {
			frac++
		}
	}
exponent:
	if digits == 0 {
		return false
	}
	exp := int64(0)
	if i < len(s) {
		if s[i] != 'p' && s[i] != 'P' {
			return false
		}
		e, ok := parseExponent(s[i+1:])
		if !ok {
			return false
		}
		exp = e
	}
	x.SetPrec(0).SetInt(&mant) // exact
	exp -= int64(4 * frac)
	if x.Sign() == 0 {
		return true
	}
	// Clamp far beyond the format's range: the rounding then gives
	// infinity or zero just the same.
	exp = max(min(exp, 1<<20), -(1 << 20))
	x.SetMantExp(x, int(exp))
	return true
}

// parseExponent reads [+-]digits, saturating large exponents.
func parseExponent(s []byte) (int64, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var e int64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		if e < 1<<40 {
			e = e*10 + int64(ch-'0')
		}
	}
	if neg {
		e = -e
	}
	return e, true
}

// parseDecFloat reads digits[.digits][e[+-]digits] (or .digits...) into
// x: exactly, or rounded at the precision the format gives the value, so
// that rounding x again to the format is exact. Values far out of the
// format's range are replaced by ones just as far out.
func parseDecFloat(x *big.Float, s []byte) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intDigits := s[:i]
	var fracDigits []byte
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		fracDigits = s[fs:i]
	}
	if len(intDigits)+len(fracDigits) == 0 {
		return false
	}
	exp := int64(0)
	if i < len(s) {
		if s[i] != 'e' && s[i] != 'E' {
			return false
		}
		e, ok := parseExponent(s[i+1:])
		if !ok {
			return false
		}
		exp = e
	}
	// value = digits × 10^exp10, digits without leading/trailing zeros.
	exp10 := exp - int64(len(fracDigits))
	digits := make([]byte, 0, len(intDigits)+len(fracDigits))
	digits = append(digits, intDigits...)
	digits = append(digits, fracDigits...)
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	for len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
		exp10++
	}
	if len(digits) == 0 {
		x.SetFloat64(0)
		return true
	}
	switch top := exp10 + int64(len(digits)); { // 10^(top-1) <= value < 10^top
	case top-1 >= 4933: // beyond the largest finite, ~1.19e4932
		x.SetMantExp(big.NewFloat(0.5), 1<<20)
		return true
	case top <= -4951: // below half the smallest denormal, ~3.6e-4951
		x.SetMantExp(big.NewFloat(0.5), -(1 << 20))
		return true
	}
	var mant, pow big.Int
	mant.SetString(string(digits), 10)
	pow.Exp(big.NewInt(10), big.NewInt(abs64(exp10)), nil)
	if exp10 >= 0 {
		mant.Mul(&mant, &pow)
		x.SetPrec(0).SetInt(&mant)
		return true
	}
	var num, den big.Float
	num.SetPrec(0).SetInt(&mant)
	den.SetPrec(0).SetInt(&pow)
	x.SetMode(big.ToNearestEven).SetPrec(ldPrec).Quo(&num, &den)
	if e := x.MantExp(nil); e < ldMinExp {
		// A denormal: round the quotient once, at the bits left.
		p := ldPrec - (ldMinExp - e)
		if p < 1 {
			p = ldPrec // round() decides between 0 and the smallest denormal
		}
		x.SetPrec(uint(p)).Quo(&num, &den)
	}
	return true
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// add adds o to d as the FPU does; it reports false when the result is
// NaN or infinite.
func (d *longDouble) add(o *longDouble) bool {
	if d.inf != 0 || o.inf != 0 {
		return false
	}
	// Both operands are multiples of the smallest denormal, so a sum in
	// the denormal range is exact at 64 bits: one correctly rounded
	// addition is what the FPU does.
	var exact big.Float
	exact.SetMode(big.ToNearestEven).SetPrec(ldPrec).Add(&d.f, &o.f)
	d.round(&exact)
	return d.inf == 0
}

// appendHuman formats d as Redis's ld2string(LD_STR_HUMAN): "%.17Lf"
// with trailing zeros (and a trailing dot) removed, and "-0" as "0".
func (d *longDouble) appendHuman(dst []byte) []byte {
	start := len(dst)
	dst = d.f.Append(dst, 'f', 17)
	if bytes.IndexByte(dst[start:], '.') >= 0 {
		for dst[len(dst)-1] == '0' {
			dst = dst[:len(dst)-1]
		}
		if dst[len(dst)-1] == '.' {
			dst = dst[:len(dst)-1]
		}
	}
	if string(dst[start:]) == "-0" {
		dst = append(dst[:start], '0')
	}
	return dst
}
