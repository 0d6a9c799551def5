package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
)

var (
	// ErrSignature is a file that does not start with "REDIS".
	ErrSignature = errors.New("Wrong signature trying to load DB from file")
	// ErrTruncated is a file that ends before its EOF opcode or checksum
	// (Redis's "Unexpected EOF reading RDB file").
	ErrTruncated = errShort
	// ErrFileChecksum is a file whose CRC64 does not match its content.
	ErrFileChecksum = errors.New("RDB CRC error")
)

// VersionError is an RDB version this package cannot load.
type VersionError struct{ Version int }

func (e *VersionError) Error() string {
	return "Can't handle RDB format version " + strconv.Itoa(e.Version)
}

// Handler receives what Load finds in a file. Every callback is optional.
// The byte slices handed to callbacks (keys, AUX fields, function code,
// Object.Str of strings) may alias the loaded buffer: callers copy what
// they keep beyond the buffer's life. Decoded collections own their
// memory. An error returned by a callback stops Load, which returns it
// unchanged.
type Handler struct {
	// Aux is an AUX field (redis-ver, ctime, repl-id, ...).
	Aux func(key, val []byte) error
	// Function is the code of one FUNCTION library; old-format libraries
	// (7.0 release candidates) arrive rebuilt as "#!engine name=lib\n...".
	Function func(code []byte) error
	// SelectDB switches the database the next keys belong to; the caller
	// checks db against its number of databases.
	SelectDB func(db int) error
	// ResizeDB is the size hint of the selected database.
	ResizeDB func(size, expires uint64)
	// Key is one key: expireAt is unix ms (0 none; an expire at or before
	// the epoch in the file is reported as 1, i.e. already expired),
	// idleSec the LRU idle time in seconds (-1 none), freq the LFU counter
	// (-1 none). Load does not drop expired keys: Redis drops them only
	// when loading as a master (rdbLoadRioWithLoadingCtx), the caller
	// decides.
	Key func(key []byte, o Object, expireAt int64, idleSec int64, freq int) error
}

// Load parses an RDB file held in memory (rdbLoadRioWithLoadingCtx):
// versions 1 to 10, checksum verified when non-zero and the version is at
// least 5. It returns the number of bytes consumed, checksum included;
// bytes after it are not looked at. Empty collections are skipped as
// Redis does. Module data and streams are errors wrapping
// ErrUnsupportedType. Load never panics on malformed input and trusts no
// length: element counts and string lengths cannot exceed the bytes left,
// and an LZF string may claim at most ~90 times its compressed size.
func Load(b []byte, lim Limits, h *Handler) (n int, err error) {
	if h == nil {
		h = &Handler{}
	}
	if len(b) < 9 {
		return 0, fmt.Errorf("cannot read RDB header: %w", errShort)
	}
	if string(b[:5]) != "REDIS" {
		return 0, ErrSignature
	}
	ver := atoi(b[5:9])
	if ver < 1 || ver > Version {
		return 0, &VersionError{Version: ver}
	}
	r := reader{b: b, p: 9}
	expireAt, idle, freq := int64(0), int64(-1), -1
	for {
		at := r.p
		op, err := r.byte()
		if err != nil {
			return 0, fmt.Errorf("cannot read RDB opcode at offset %d: %w", at, err)
		}
		switch op {
		case OpExpireTime:
			s, err := r.take(4)
			if err != nil {
				return 0, fmt.Errorf("cannot read expire time at offset %d: %w", at, err)
			}
			expireAt = fileExpire(int64(int32(binary.LittleEndian.Uint32(s))) * 1000)
			continue
		case OpExpireTimeMs:
			// Before version 9 Redis wrote the native byte order; every
			// platform it ran on for those versions was little endian in
			// practice (rdbLoadMillisecondTime).
			s, err := r.take(8)
			if err != nil {
				return 0, fmt.Errorf("cannot read expire time at offset %d: %w", at, err)
			}
			expireAt = fileExpire(int64(binary.LittleEndian.Uint64(s)))
			continue
		case OpFreq:
			c, err := r.byte()
			if err != nil {
				return 0, fmt.Errorf("cannot read LFU frequency at offset %d: %w", at, err)
			}
			freq = int(c)
			continue
		case OpIdle:
			v, enc, err := r.length()
			if err == nil && enc {
				err = errors.New("invalid length encoding")
			}
			if err != nil {
				return 0, fmt.Errorf("cannot read LRU idle time at offset %d: %w", at, err)
			}
			idle = int64(min(v, math.MaxInt64))
			continue
		case OpEOF:
			return r.finish(ver)
		case OpSelectDB:
			db, enc, err := r.length()
			if err == nil && (enc || db > math.MaxInt32) {
				err = errors.New("invalid DB index")
			}
			if err != nil {
				return 0, fmt.Errorf("cannot read SELECTDB at offset %d: %w", at, err)
			}
			if h.SelectDB != nil {
				if err := h.SelectDB(int(db)); err != nil {
					return 0, err
				}
			}
			continue
		case OpResizeDB:
			size, enc1, err := r.length()
			var expires uint64
			var enc2 bool
			if err == nil {
				expires, enc2, err = r.length()
			}
			if err == nil && (enc1 || enc2) {
				err = errors.New("invalid length encoding")
			}
			if err != nil {
				return 0, fmt.Errorf("cannot read RESIZEDB at offset %d: %w", at, err)
			}
			if h.ResizeDB != nil {
				h.ResizeDB(size, expires)
			}
			continue
		case OpAux:
			key, err := r.str()
			var val []byte
			if err == nil {
				val, err = r.str()
			}
			if err != nil {
				return 0, fmt.Errorf("cannot read AUX field at offset %d: %w", at, err)
			}
			if h.Aux != nil {
				if err := h.Aux(key, val); err != nil {
					return 0, err
				}
			}
			continue
		case OpModuleAux:
			return 0, fmt.Errorf("cannot load module AUX data at offset %d: %w", at, ErrUnsupportedType)
		case OpFunction, OpFunction2:
			var code []byte
			if op == OpFunction {
				code, err = r.oldFunction()
			} else if code, err = r.str(); err != nil {
				err = errors.New("Failed loading library payload")
			}
			if err != nil {
				return 0, fmt.Errorf("cannot load function library at offset %d: %w", at, err)
			}
			if h.Function != nil {
				if err := h.Function(code); err != nil {
					return 0, err
				}
			}
			continue
		}

		// A key: type, key string, value.
		switch op {
		case TypeStreamListpacks, TypeStreamListpack2, TypeModule, TypeModule2:
			return 0, fmt.Errorf("cannot load key of RDB type %d at offset %d: %w", op, at, ErrUnsupportedType)
		}
		key, err := r.str()
		if err != nil {
			return 0, fmt.Errorf("cannot read key at offset %d: %w", at, err)
		}
		o, err := r.object(op, lim)
		switch {
		case errors.Is(err, errEmpty):
			// Redis skips empty keys rather than failing (#8453).
		case errors.Is(err, errBadType):
			return 0, fmt.Errorf("cannot load key at offset %d: unknown RDB encoding type %d", at, op)
		case err != nil:
			return 0, fmt.Errorf("cannot load key %q at offset %d: %w", key, at, err)
		case h.Key != nil:
			if err := h.Key(key, o, expireAt, idle, freq); err != nil {
				return 0, err
			}
		}
		expireAt, idle, freq = 0, -1, -1
	}
}

// finish reads and checks the checksum after the EOF opcode at r.p-1.
func (r *reader) finish(ver int) (int, error) {
	if ver < 5 {
		return r.p, nil
	}
	end := r.p
	s, err := r.take(8)
	if err != nil {
		return 0, fmt.Errorf("cannot read RDB checksum: %w", err)
	}
	got := binary.LittleEndian.Uint64(s)
	if got == 0 {
		// Saved with rdbchecksum no: no check performed.
		return r.p, nil
	}
	if want := CRC64(0, r.b[:end]); got != want {
		return 0, fmt.Errorf("wrong RDB checksum expected: (%x) but got (%x): %w", want, got, ErrFileChecksum)
	}
	return r.p, nil
}

// fileExpire maps a file's expire time to Handler.Key's, where 0 means
// none.
func fileExpire(ms int64) int64 {
	if ms <= 0 {
		return 1
	}
	return ms
}

// atoi parses the version digits as C's atoi does: optional blanks and
// sign, then digits up to the first non-digit; garbage is 0.
func atoi(s []byte) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
