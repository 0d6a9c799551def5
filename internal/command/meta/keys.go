package meta

import "errors"

// Errors of COMMAND GETKEYS / GETKEYSANDFLAGS (getKeysSubcommandImpl,
// src/server.c), with Redis's exact texts.
var (
	ErrInvalidCommand   = errors.New("ERR Invalid command specified")
	ErrNoKeyArguments   = errors.New("ERR The command has no key arguments")
	ErrInvalidArgCount  = errors.New("ERR Invalid number of arguments specified for command")
	ErrInvalidArguments = errors.New("ERR Invalid arguments specified for command")
)

// KeyRef is the position of one key argument in argv (argv[0] is the
// command name) and how the command accesses it (Key* flags; 0 when the
// key came from a getkeys procedure that does not report flags).
type KeyRef struct {
	Pos   int
	Flags uint32
}

// Keys appends to dst the key arguments of argv, which invokes c, the way
// COMMAND GETKEYS finds them (getKeysSubcommandImpl, src/server.c): after
// checking that c has keys at all (ErrNoKeyArguments) and argv's length
// against c's arity (ErrInvalidArgCount), it finds the keys as KeysWithSpecs,
// and finding none is ErrInvalidArguments unless c has no mandatory keys
// (EVAL with 0 keys). On error dst is returned unchanged. Keys never panics,
// whatever argv holds.
func (c *Command) Keys(argv [][]byte, dst []KeyRef) ([]KeyRef, error) {
	if !c.hasKeys {
		return dst, ErrNoKeyArguments
	}
	if !c.ArityOK(len(argv)) {
		return dst, ErrInvalidArgCount
	}
	n := len(dst)
	dst = c.KeysWithSpecs(argv, dst)
	if len(dst) == n && c.FlagMask&FlagNoMandatoryKeys == 0 {
		return dst, ErrInvalidArguments
	}
	return dst, nil
}

// ArityOK reports whether argc arguments (the command name included)
// satisfy c's arity: exactly Arity, or at least -Arity when it is negative.
func (c *Command) ArityOK(argc int) bool {
	if c.Arity >= 0 {
		return argc == c.Arity
	}
	return argc >= -c.Arity
}

// KeysWithSpecs appends to dst the key arguments of argv as Redis's
// getKeysFromCommandWithSpecs (src/db.c) finds them with default search
// flags, which is what ACL checks and COMMAND GETKEYS use: from the key
// specs when they are complete and their flags reliable, else from the
// command's native getkeys procedure. Specs marked not_key are skipped.
// Invalid input (a bad numkeys, a missing keyword) yields no keys. Every
// returned position is inside argv.
func (c *Command) KeysWithSpecs(argv [][]byte, dst []KeyRef) []KeyRef {
	n := len(dst)
	if c.useSpecs {
		var ok bool
		if dst, ok = c.keysFromSpecs(argv, dst); ok {
			return dst
		}
		dst = dst[:n]
	}
	if c.getKeys != nil {
		return c.getKeys(argv, dst)
	}
	return dst
}

// KeysLegacy appends to dst the key arguments of argv as Redis's
// getKeysFromCommand (src/db.c) finds them, which is what cluster routing
// and client-side tracking use: the native getkeys procedure if the
// command has one, else the legacy (FirstKey, LastKey, Step) range. Unlike
// KeysWithSpecs it includes not_key arguments covered by the legacy range
// (SPUBLISH's channel), and reports no flags for range keys.
func (c *Command) KeysLegacy(argv [][]byte, dst []KeyRef) []KeyRef {
	if c.getKeys != nil {
		return c.getKeys(argv, dst)
	}
	if c.Step <= 0 {
		return dst
	}
	argc := len(argv)
	first, last := c.FirstKey, c.LastKey
	if last < 0 {
		last += argc
	}
	n := len(dst)
	for j := first; j <= last; j += c.Step {
		if j >= argc || j < first || j < 1 {
			// Redis returns no keys here (or panics for a positive-arity
			// command, which arity checks rule out).
			return dst[:n]
		}
		dst = append(dst, KeyRef{Pos: j})
	}
	return dst
}

// keysFromSpecs is getKeysUsingKeySpecs (src/db.c) with default search
// flags. ok is false where Redis goes to invalid_spec: an unknown spec, a
// bad key count, keys out of bounds or an incomplete spec.
func (c *Command) keysFromSpecs(argv [][]byte, dst []KeyRef) (_ []KeyRef, ok bool) {
	argc := len(argv)
	for i := range c.KeySpecs {
		spec := &c.KeySpecs[i]
		if spec.FlagMask&KeyNotKey != 0 {
			continue
		}
		first := 0
		switch spec.BeginSearch.Type {
		case BeginSearchIndex:
			first = spec.BeginSearch.Index
		case BeginSearchKeyword:
			first = searchKeyword(argv, spec.BeginSearch.Keyword, spec.BeginSearch.StartFrom)
			if first == 0 {
				continue // keyword not found: the spec has no keys here
			}
		default:
			return dst, false
		}

		var last, step int
		switch spec.FindKeys.Type {
		case FindKeysRange:
			fk := &spec.FindKeys
			step = fk.KeyStep
			switch {
			case fk.LastKey >= 0:
				last = first + fk.LastKey
			case fk.Limit == 0:
				last = argc + fk.LastKey
			default:
				last = first + ((argc-first)/fk.Limit + fk.LastKey)
			}
		case FindKeysKeynum:
			fk := &spec.FindKeys
			step = fk.KeyStep
			idx := first + fk.KeyNumIdx
			if fk.KeyNumIdx >= argc || idx < 0 || idx >= argc {
				// Redis checks only KeyNumIdx; an index past argv would be
				// read out of bounds there.
				return dst, false
			}
			numkeys, valid := string2ll(argv[idx])
			if !valid || numkeys < 0 {
				return dst, false
			}
			first += fk.FirstKey
			// Redis computes "first + (int)numkeys - 1" in C ints: the
			// count is truncated to 32 bits and the sum wraps.
			last = int(int32(first) + int32(numkeys) - 1)
		default:
			return dst, false
		}

		if last >= argc || last < first || first >= argc || first < 1 || step < 1 {
			// Redis has no step < 1 in its table (it would loop forever).
			return dst, false
		}
		for k := first; k <= last; k += step {
			dst = append(dst, KeyRef{Pos: k, Flags: spec.FlagMask})
		}
		if spec.FlagMask&KeyIncomplete != 0 {
			return dst, false
		}
	}
	return dst, true
}

// searchKeyword returns the index after the keyword, or 0 when it is not
// found. A positive startFrom searches forwards from that index up to (but
// excluding) the last argument; a negative one backwards from argc+startFrom
// down to (but excluding) argv[1].
func searchKeyword(argv [][]byte, keyword string, startFrom int) int {
	argc := len(argv)
	start, end := startFrom, argc-1
	if startFrom <= 0 {
		start, end = argc+startFrom, 1
	}
	for i := start; i != end; {
		if i >= argc || i < 1 {
			break
		}
		if equalFoldC(argv[i], keyword) {
			return i + 1
		}
		if start <= end {
			i++
		} else {
			i--
		}
	}
	return 0
}

// equalFoldC reports whether arg equals lit ignoring ASCII case, the way
// strcasecmp compares Redis's NUL-terminated argument strings: arg ends at
// its first NUL byte. lit must not contain NUL.
func equalFoldC(arg []byte, lit string) bool {
	for i := 0; i < len(arg); i++ {
		if arg[i] == 0 {
			arg = arg[:i]
			break
		}
	}
	if len(arg) != len(lit) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		a, b := arg[i], lit[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// string2ll parses a decimal int64 exactly as Redis's string2ll
// (src/util.c): no leading spaces, '+' or zeros, at most 20 bytes.
func string2ll(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (1<<64-1)/10 {
			return 0, false
		}
		v *= 10
		if v > 1<<64-1-d {
			return 0, false
		}
		v += d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// atoi is C's atoi as glibc implements it, (int)strtol(s, NULL, 10), on a
// NUL-terminated argument: leading white space, an optional sign, digits up
// to the first non-digit; strtol saturates at the int64 limits and the
// conversion to int keeps the low 32 bits.
func atoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var v uint64
	overflow := false
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if !overflow {
			v = v*10 + uint64(b[i]-'0')
			if v > 1<<63 {
				overflow = true
			}
		}
	}
	var l int64
	switch {
	case neg && (overflow || v >= 1<<63):
		l = -1 << 63
	case neg:
		l = -int64(v)
	case overflow || v > 1<<63-1:
		l = 1<<63 - 1
	default:
		l = int64(v)
	}
	return int(int32(l))
}

// getKeysProc is a native getkeys procedure (src/db.c): it appends the key
// positions of argv to dst.
type getKeysProc func(argv [][]byte, dst []KeyRef) []KeyRef

func getKeysProcByName(name string) getKeysProc {
	switch name {
	case "sintercardGetKeys", "zunionInterDiffGetKeys", "lmpopGetKeys", "zmpopGetKeys":
		return func(argv [][]byte, dst []KeyRef) []KeyRef { return genericGetKeys(0, 1, 2, 1, argv, dst) }
	case "zunionInterDiffStoreGetKeys":
		return func(argv [][]byte, dst []KeyRef) []KeyRef { return genericGetKeys(1, 2, 3, 1, argv, dst) }
	case "evalGetKeys", "functionGetKeys", "blmpopGetKeys", "bzmpopGetKeys":
		return func(argv [][]byte, dst []KeyRef) []KeyRef { return genericGetKeys(0, 2, 3, 1, argv, dst) }
	case "sortROGetKeys":
		return sortROGetKeys
	case "sortGetKeys":
		return sortGetKeys
	case "migrateGetKeys":
		return migrateGetKeys
	case "georadiusGetKeys":
		return georadiusGetKeys
	case "xreadGetKeys":
		return xreadGetKeys
	case "setGetKeys":
		return setGetKeys
	case "bitfieldGetKeys":
		return bitfieldGetKeys
	}
	return nil
}

// genericGetKeys handles "[destkey] numkeys key [key ...] options"
// (genericGetKeys, src/db.c): numkeys keys from firstOfs every step,
// then the destination if storeOfs is not 0. A count below 1 or beyond the
// arguments yields no keys. Flags are not reported.
func genericGetKeys(storeOfs, countOfs, firstOfs, step int, argv [][]byte, dst []KeyRef) []KeyRef {
	argc := len(argv)
	if countOfs >= argc || storeOfs >= argc {
		return dst
	}
	num := atoi(argv[countOfs])
	if num < 1 || num > (argc-firstOfs)/step {
		return dst
	}
	for i := 0; i < num; i++ {
		dst = append(dst, KeyRef{Pos: firstOfs + i*step})
	}
	if storeOfs != 0 {
		dst = append(dst, KeyRef{Pos: storeOfs})
	}
	return dst
}

// sortROGetKeys: SORT_RO's only key is its first argument.
func sortROGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	if len(argv) < 2 {
		return dst
	}
	return append(dst, KeyRef{Pos: 1, Flags: KeyRO | KeyAccess})
}

// sortGetKeys: SORT's first argument and the argument after the last STORE,
// skipping the arguments of LIMIT (2), GET (1) and BY (1).
func sortGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	argc := len(argv)
	if argc < 2 {
		return dst
	}
	dst = append(dst, KeyRef{Pos: 1, Flags: KeyRO | KeyAccess})
	store := 0
	for i := 2; i < argc; i++ {
		switch {
		case equalFoldC(argv[i], "limit"):
			i += 2
		case equalFoldC(argv[i], "get"), equalFoldC(argv[i], "by"):
			i++
		case equalFoldC(argv[i], "store") && i+1 < argc:
			// The last STORE wins, as in SORT itself; its key is then
			// looked at as an option like any other argument.
			store = i + 1
		}
	}
	if store != 0 {
		dst = append(dst, KeyRef{Pos: store, Flags: KeyOW | KeyUpdate})
	}
	return dst
}

// migrateGetKeys: MIGRATE's key argument, or with an empty key argument the
// arguments after KEYS (skipping the operands of AUTH and AUTH2).
func migrateGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	argc := len(argv)
	first, num := 3, 1
	if argc > 6 {
		for i := 6; i < argc; i++ {
			if equalFoldC(argv[i], "keys") {
				if len(argv[3]) > 0 {
					num = 0 // a syntax error MIGRATE itself reports
				} else {
					first = i + 1
					num = argc - first
				}
				break
			}
			switch {
			case equalFoldC(argv[i], "auth"):
				i++
			case equalFoldC(argv[i], "auth2"):
				i += 2
			}
		}
	}
	for i := 0; i < num; i++ {
		if first+i >= argc {
			break
		}
		dst = append(dst, KeyRef{Pos: first + i, Flags: KeyRW | KeyAccess | KeyDelete})
	}
	return dst
}

// georadiusGetKeys: the key, and the argument after the last STORE or
// STOREDIST from argv[5] on.
func georadiusGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	argc := len(argv)
	if argc < 2 {
		return dst
	}
	stored := -1
	for i := 5; i < argc; i++ {
		if (equalFoldC(argv[i], "store") || equalFoldC(argv[i], "storedist")) && i+1 < argc {
			stored = i + 1
			i++
		}
	}
	dst = append(dst, KeyRef{Pos: 1})
	if stored != -1 {
		dst = append(dst, KeyRef{Pos: stored})
	}
	return dst
}

// xreadGetKeys: the first half of the arguments after STREAMS, which must
// follow only BLOCK/COUNT (one operand), GROUP (two) and NOACK.
func xreadGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	argc := len(argv)
	streams := -1
loop:
	for i := 1; i < argc; i++ {
		switch arg := argv[i]; {
		case equalFoldC(arg, "block"), equalFoldC(arg, "count"):
			i++
		case equalFoldC(arg, "group"):
			i += 2
		case equalFoldC(arg, "noack"):
		case equalFoldC(arg, "streams"):
			streams = i
			break loop
		default:
			break loop
		}
	}
	if streams == -1 {
		return dst
	}
	num := argc - streams - 1
	if num == 0 || num%2 != 0 {
		return dst
	}
	num /= 2
	for i := streams + 1; i < argc-num; i++ {
		dst = append(dst, KeyRef{Pos: i})
	}
	return dst
}

// setGetKeys: SET's key, read and written with GET, overwritten without.
func setGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	argc := len(argv)
	if argc < 2 {
		return dst
	}
	for i := 3; i < argc; i++ {
		if equalFoldC(argv[i], "get") {
			return append(dst, KeyRef{Pos: 1, Flags: KeyRW | KeyAccess | KeyUpdate})
		}
	}
	return append(dst, KeyRef{Pos: 1, Flags: KeyOW | KeyUpdate})
}

// bitfieldGetKeys: BITFIELD's key, read only when every operation is a
// well-formed GET (or OVERFLOW).
func bitfieldGetKeys(argv [][]byte, dst []KeyRef) []KeyRef {
	argc := len(argv)
	if argc < 2 {
		return dst
	}
	readonly := true
	for i := 2; i < argc; i++ {
		remargs := argc - i - 1
		arg := argv[i]
		if equalFoldC(arg, "get") && remargs >= 2 {
			i += 2
		} else if (equalFoldC(arg, "set") || equalFoldC(arg, "incrby")) && remargs >= 3 {
			readonly = false
			break
		} else if equalFoldC(arg, "overflow") && remargs >= 1 {
			i++
		} else {
			readonly = false // a syntax error: assume it writes
			break
		}
	}
	if readonly {
		return append(dst, KeyRef{Pos: 1, Flags: KeyRO | KeyAccess})
	}
	return append(dst, KeyRef{Pos: 1, Flags: KeyRW | KeyAccess | KeyUpdate})
}
