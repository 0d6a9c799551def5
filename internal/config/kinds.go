package config

import (
	"strconv"
	"strings"
)

// flags are the per-parameter flags of Redis's standardConfig (server.h
// *_CONFIG), less the module ones.
type flags uint16

const (
	fImmutable   flags = 1 << iota // IMMUTABLE_CONFIG: startup only
	fSensitive                     // SENSITIVE_CONFIG: redact CONFIG SET value
	fDebug                         // DEBUG_CONFIG: listed by DEBUG CONFIG-DEBUG-INFO
	fMultiArg                      // MULTI_ARG_CONFIG: several arguments
	fHidden                        // HIDDEN_CONFIG: not matched by CONFIG GET patterns
	fProtected                     // PROTECTED_CONFIG: per enable-protected-configs
	fDenyLoading                   // DENY_LOADING_CONFIG: not while loading
	fVolatile                      // VOLATILE_CONFIG: always "changed" on SET
)

// param is one row of the table.
type param struct {
	name  string
	alias string
	flags flags
	kind  kind
}

// kind is a parameter type: how a value is parsed, stored, printed for
// CONFIG GET and written by CONFIG REWRITE. Values move through parse and
// store as `any` so Set can validate all pairs before storing any and roll
// back by storing the previous value.
type kind interface {
	setDefault(c *Config)
	// parse validates args (never empty for single-argument kinds) and
	// returns the would-be value, or a Redis error reason. ls is non-nil
	// while loading a configuration file.
	parse(c *Config, args []string, ls *loadState) (any, string)
	// store installs v and reports whether the value changed.
	store(c *Config, v any) bool
	value(c *Config) any
	get(c *Config, dst []byte) []byte
	rewrite(c *Config, rw *rewriter, name string)
}

// ---- bool ----

type boolKind struct {
	h   *Bool
	def bool
}

func (k *boolKind) setDefault(*Config) { k.h.v.Store(k.def) }

func (k *boolKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	switch strings.ToLower(args[0]) {
	case "yes":
		return true, ""
	case "no":
		return false, ""
	}
	return nil, "argument must be 'yes' or 'no'"
}

func (k *boolKind) store(_ *Config, v any) bool { return k.h.v.Swap(v.(bool)) != v.(bool) }
func (k *boolKind) value(*Config) any           { return k.h.Load() }

func (k *boolKind) get(_ *Config, dst []byte) []byte { return appendYesNo(dst, k.h.Load()) }

func (k *boolKind) rewrite(_ *Config, rw *rewriter, name string) {
	v := k.h.Load()
	rw.rewriteLine(name, string(appendYesNo([]byte(name+" "), v)), v != k.def)
}

func appendYesNo(dst []byte, v bool) []byte {
	if v {
		return append(dst, "yes"...)
	}
	return append(dst, "no"...)
}

// ---- numbers ----

type numFlags uint8

const (
	numMemory  numFlags = 1 << iota // MEMORY_CONFIG: accepts units
	numPercent                      // PERCENT_CONFIG: accepts "n%", stored as -n
	numOctal                        // OCTAL_CONFIG: octal text
)

// numKind is a numeric parameter. Exactly one of i and u is set. unsigned
// marks the C types Redis bound-checks as unsigned (unsigned int, size_t,
// unsigned long long).
type numKind struct {
	i        *Int
	u        *Uint
	min, max int64
	def      int64
	nf       numFlags
	unsigned bool
	// normalize adjusts a stored value, as updateHZ clamps hz.
	normalize func(int64) int64
}

func (k *numKind) load() int64 {
	if k.u != nil {
		return int64(k.u.Load())
	}
	return k.i.Load()
}

func (k *numKind) swap(v int64) int64 {
	if k.u != nil {
		return int64(k.u.v.Swap(uint64(v)))
	}
	return k.i.v.Swap(v)
}

func (k *numKind) setDefault(*Config) { k.swap(k.def) }

// parse is numericParseString + numericBoundaryCheck (config.c).
func (k *numKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	s := args[0]
	v, ok := int64(0), false
	if k.nf&numMemory != 0 {
		var u uint64
		u, ok = memToUint(s)
		v = int64(u)
	}
	if !ok && k.nf&numPercent != 0 && len(s) > 1 && s[len(s)-1] == '%' {
		if n, good := string2ll(s[:len(s)-1]); good && n >= 0 {
			v, ok = -n, true
		}
	}
	if !ok && k.nf&numOctal != 0 {
		if n, complete, overflow := strtoll(s, 8); complete && !overflow {
			v, ok = n, true
		}
	}
	if !ok && k.nf == 0 {
		v, ok = string2ll(s)
	}
	if !ok {
		switch {
		case k.nf&numMemory != 0 && k.nf&numPercent != 0:
			return nil, "argument must be a memory or percent value"
		case k.nf&numMemory != 0:
			return nil, "argument must be a memory value"
		case k.nf&numOctal != 0:
			return nil, "argument couldn't be parsed as an octal number"
		}
		return nil, "argument couldn't be parsed into an integer"
	}
	if k.unsigned {
		if uint64(v) > uint64(k.max) || uint64(v) < uint64(k.min) {
			if k.nf&numOctal != 0 {
				return nil, "argument must be between " + strconv.FormatUint(uint64(k.min), 8) +
					" and " + strconv.FormatUint(uint64(k.max), 8) + " inclusive"
			}
			return nil, "argument must be between " + strconv.FormatUint(uint64(k.min), 10) +
				" and " + strconv.FormatUint(uint64(k.max), 10) + " inclusive"
		}
	} else if k.nf&numPercent != 0 && v < 0 {
		if v < k.min {
			return nil, "percentage argument must be less or equal to " + strconv.FormatInt(-k.min, 10)
		}
	} else if v > k.max || v < k.min {
		return nil, "argument must be between " + strconv.FormatInt(k.min, 10) +
			" and " + strconv.FormatInt(k.max, 10) + " inclusive"
	}
	return v, ""
}

func (k *numKind) store(_ *Config, x any) bool {
	v := x.(int64)
	changed := k.swap(v) != v
	if k.normalize != nil {
		k.swap(k.normalize(v))
	}
	return changed
}

func (k *numKind) value(*Config) any { return k.load() }

func (k *numKind) get(_ *Config, dst []byte) []byte {
	v := k.load()
	switch {
	case k.nf&numPercent != 0 && v < 0:
		return append(strconv.AppendInt(dst, -v, 10), '%')
	case k.nf&numMemory != 0:
		return strconv.AppendUint(dst, uint64(v), 10)
	case k.nf&numOctal != 0:
		return strconv.AppendUint(dst, uint64(v), 8)
	}
	return strconv.AppendInt(dst, v, 10)
}

func (k *numKind) rewrite(_ *Config, rw *rewriter, name string) {
	v := k.load()
	line := []byte(name + " ")
	force := v != k.def
	switch {
	case k.nf&numPercent != 0 && v < 0:
		line = append(strconv.AppendInt(line, -v, 10), '%')
		force = -v != k.def
	case k.nf&numMemory != 0:
		line = appendMemory(line, v)
	case k.nf&numOctal != 0:
		line = strconv.AppendUint(line, uint64(v), 8)
	default:
		line = strconv.AppendInt(line, v, 10)
	}
	rw.rewriteLine(name, string(line), force)
}

// ---- enums ----

type enumItem struct {
	name string
	val  int
}

type enumKind struct {
	h        *Enum
	items    []enumItem
	def      int
	bitflags bool // MULTI_ARG enum: arguments are OR-ed flags
	valid    func(int) string
}

func (k *enumKind) setDefault(*Config) { k.h.v.Store(int64(k.def)) }

// parse is configEnumGetValue plus the error of enumConfigSet (config.c).
func (k *enumKind) parse(_ *Config, args []string, _ *loadState) (any, string) {
	v, ok := 0, len(args) > 0 && (k.bitflags || len(args) == 1)
	for _, a := range args {
		if !ok {
			break
		}
		matched := false
		for _, it := range k.items {
			if strings.EqualFold(a, it.name) {
				v |= it.val
				matched = true
			}
		}
		ok = matched
	}
	if !ok {
		msg := "argument(s) must be one of the following: "
		for i, it := range k.items {
			if i > 0 {
				msg += ", "
			}
			msg += it.name
		}
		if len(msg) > 255 { // Redis formats it into a 256-byte buffer.
			msg = msg[:255]
		}
		return nil, msg
	}
	if k.valid != nil {
		if reason := k.valid(v); reason != "" {
			return nil, reason
		}
	}
	return v, ""
}

func (k *enumKind) store(_ *Config, x any) bool {
	v := int64(x.(int))
	return k.h.v.Swap(v) != v
}

func (k *enumKind) value(*Config) any { return k.h.Load() }

// get is configEnumGetName (config.c).
func (k *enumKind) get(_ *Config, dst []byte) []byte {
	v := k.h.Load()
	unmatched := v
	start := len(dst)
	found := false
	for _, it := range k.items {
		if v == it.val {
			return append(dst[:start], it.name...)
		}
		if k.bitflags && it.val != 0 && it.val == unmatched&it.val {
			if found {
				dst = append(dst, ' ')
			}
			dst = append(dst, it.name...)
			found = true
			unmatched &^= it.val
		}
	}
	if !found || unmatched != 0 {
		return append(dst[:start], "unknown"...)
	}
	return dst
}

func (k *enumKind) rewrite(c *Config, rw *rewriter, name string) {
	line := k.get(c, []byte(name+" "))
	rw.rewriteLine(name, string(line), k.h.Load() != k.def)
}

// ---- strings ----

// stringKind is a string parameter. With emptyIsNull (EMPTY_STRING_IS_NULL)
// the empty string stands for C's NULL: the parameter is unset, and its
// default is unset too; otherwise the default is def.
type stringKind struct {
	h           *String
	def         string
	emptyIsNull bool
	valid       func(c *Config, v string) string
}

func (k *stringKind) setDefault(*Config) { k.h.store(k.def) }

func (k *stringKind) parse(c *Config, args []string, _ *loadState) (any, string) {
	if k.valid != nil {
		if reason := k.valid(c, args[0]); reason != "" {
			return nil, reason
		}
	}
	return args[0], ""
}

func (k *stringKind) store(_ *Config, x any) bool {
	v := x.(string)
	old := k.h.Load()
	k.h.store(v)
	return old != v
}

func (k *stringKind) value(*Config) any { return k.h.Load() }

func (k *stringKind) get(_ *Config, dst []byte) []byte { return append(dst, k.h.Load()...) }

// rewrite is rewriteConfigStringOption (config.c).
func (k *stringKind) rewrite(_ *Config, rw *rewriter, name string) {
	v := k.h.Load()
	if k.emptyIsNull && v == "" {
		rw.markProcessed(name)
		return
	}
	force := k.emptyIsNull || v != k.def
	rw.rewriteLine(name, name+" "+repr(v), force)
}
