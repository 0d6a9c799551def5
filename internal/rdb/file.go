package rdb

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
)

// RDB file opcodes (RDB_OPCODE_* in src/rdb.h). OpFunction2 and
// OpFunction are declared with the value types in encode.go.
//
// An RDB file (rdbSaveRio in src/rdb.c, Redis 7.0.15) is:
//
//	"REDIS0010"                          magic + 4-digit version
//	FA <string key> <string value>       AUX fields (redis-ver, ctime, ...)
//	F5 <string library code>             one per FUNCTION library
//	FE <len db>                          SELECTDB, for every non-empty DB:
//	FB <len keys> <len expires>          RESIZEDB hint
//	  [FC <int64 LE unix ms>]            EXPIRETIME_MS, if the key has one
//	  [F8 <len idle seconds>]            IDLE, with an LRU maxmemory-policy
//	  [F9 <1 byte LFU counter>]          FREQ, with an LFU maxmemory-policy
//	  <type> <string key> <value>        the key (see AppendValue)
//	FF                                   EOF
//	<CRC64 LE, 8 bytes>                  of every byte before it; 0 when
//	                                     rdbchecksum is no
//
// Older files may also hold FD <int32 LE unix seconds> (EXPIRETIME), F6
// (the 7.0 release candidates' FUNCTION) and F7 (MODULE_AUX); files of
// version < 5 end at FF without a checksum.
const (
	OpModuleAux    = 247
	OpIdle         = 248
	OpFreq         = 249
	OpAux          = 250
	OpResizeDB     = 251
	OpExpireTimeMs = 252
	OpExpireTime   = 253
	OpSelectDB     = 254
	OpEOF          = 255
)

// maxKeptBuf is the largest serialization buffer a Writer keeps between
// keys; a bigger one (a huge value) is dropped after use.
const maxKeptBuf = 1 << 20

// Writer writes an RDB file: Header, Aux fields, Functions, then for every
// database SelectDB and its Keys, then Finish. It buffers its output and
// keeps the running CRC64 of every byte written. The first write error is
// sticky: every later call returns it. A Writer is not safe for concurrent
// use.
type Writer struct {
	// NoChecksum writes a zero checksum, as Redis does with rdbchecksum no.
	NoChecksum bool

	bw      *bufio.Writer
	enc     Encoder
	buf     []byte
	crc     uint64
	written int64
	err     error
}

// NewWriter returns a Writer writing to w; compress is rdbcompression
// (LZF for strings longer than 20 bytes).
func NewWriter(w io.Writer, compress bool) *Writer {
	return &Writer{bw: bufio.NewWriterSize(w, 64<<10), enc: Encoder{NoCompression: !compress}}
}

// write writes p, updating the checksum and the byte count.
func (w *Writer) write(p []byte) error {
	if w.err != nil {
		return w.err
	}
	if _, err := w.bw.Write(p); err != nil {
		w.err = fmt.Errorf("cannot write RDB: %w", err)
		return w.err
	}
	w.crc = CRC64(w.crc, p)
	w.written += int64(len(p))
	return nil
}

// flushBuf writes w.buf and resets it.
func (w *Writer) flushBuf() error {
	err := w.write(w.buf)
	w.resetBuf()
	return err
}

// resetBuf empties w.buf, dropping it when it grew past maxKeptBuf.
func (w *Writer) resetBuf() {
	if cap(w.buf) > maxKeptBuf {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
}

// Header writes the magic string and version ("REDIS0010").
func (w *Writer) Header() error {
	w.buf = append(w.buf[:0], "REDIS"...)
	w.buf = append(w.buf, '0', '0', '0'+Version/10, '0'+Version%10)
	return w.flushBuf()
}

// Aux writes an AUX field (rdbSaveAuxField): both strings are saved as
// rdbSaveRawString does, so integer-looking values are int-encoded.
func (w *Writer) Aux(key, val string) error {
	w.buf = append(w.buf[:0], OpAux)
	w.buf = w.enc.AppendString(w.buf, []byte(key))
	w.buf = w.enc.AppendString(w.buf, []byte(val))
	return w.flushBuf()
}

// AuxInt writes an AUX field with an integer value (rdbSaveAuxFieldStrInt:
// the decimal string, int-encoded when it fits in 32 bits).
func (w *Writer) AuxInt(key string, v int64) error {
	var num [20]byte
	w.buf = append(w.buf[:0], OpAux)
	w.buf = w.enc.AppendString(w.buf, []byte(key))
	w.buf = w.enc.AppendString(w.buf, strconv.AppendInt(num[:0], v, 10))
	return w.flushBuf()
}

// Function writes one FUNCTION library (RDB_OPCODE_FUNCTION2 + its code).
func (w *Writer) Function(code []byte) error {
	w.buf = append(w.buf[:0], OpFunction2)
	w.buf = w.enc.AppendString(w.buf, code)
	return w.flushBuf()
}

// SelectDB starts database db, with the RESIZEDB hint of its number of
// keys and of keys with an expire. Redis writes it only for non-empty
// databases.
func (w *Writer) SelectDB(db int, size, expires uint64) error {
	if db < 0 {
		panic("BUG: rdb: negative DB index")
	}
	w.buf = append(w.buf[:0], OpSelectDB)
	w.buf = AppendLen(w.buf, uint64(db))
	w.buf = append(w.buf, OpResizeDB)
	w.buf = AppendLen(w.buf, size)
	w.buf = AppendLen(w.buf, expires)
	return w.flushBuf()
}

// Key writes one key (rdbSaveKeyValuePair): EXPIRETIME_MS when
// e.ExpireAt > 0, IDLE when idleSec >= 0, FREQ when freq >= 0 (it must be
// at most 255), then the type, the key and the value. A key of a type this
// package cannot serialize is an error wrapping ErrUnsupportedType, and
// nothing is written.
func (w *Writer) Key(key []byte, e keyspace.Entry, idleSec int64, freq int) error {
	if w.err != nil {
		return w.err
	}
	w.buf = w.buf[:0]
	if e.ExpireAt > 0 {
		w.buf = append(w.buf, OpExpireTimeMs)
		w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(e.ExpireAt))
	}
	if idleSec >= 0 {
		w.buf = append(w.buf, OpIdle)
		w.buf = AppendLen(w.buf, uint64(idleSec))
	}
	if freq >= 0 {
		if freq > 255 {
			panic("BUG: rdb: LFU counter above 255")
		}
		w.buf = append(w.buf, OpFreq, byte(freq))
	}
	// Layout: [opcodes][type placeholder][key][type][value]; the value's
	// type byte, which AppendValue writes first, moves to the placeholder
	// and is skipped when writing.
	typePos := len(w.buf)
	w.buf = append(w.buf, 0)
	w.buf = w.enc.AppendString(w.buf, key)
	valPos := len(w.buf)
	var err error
	w.buf, err = w.enc.AppendValue(w.buf, e)
	if err != nil {
		w.buf = w.buf[:0]
		return fmt.Errorf("cannot write key %q of type %s: %w", key, e.Type, err)
	}
	w.buf[typePos] = w.buf[valPos]
	if err := w.write(w.buf[:valPos]); err != nil {
		return err
	}
	err = w.write(w.buf[valPos+1:])
	w.resetBuf()
	return err
}

// Finish writes the EOF opcode and the checksum (zero when NoChecksum)
// and flushes the buffer.
func (w *Writer) Finish() error {
	if err := w.write([]byte{OpEOF}); err != nil {
		return err
	}
	var crc uint64
	if !w.NoChecksum {
		crc = w.crc
	}
	var tail [8]byte
	binary.LittleEndian.PutUint64(tail[:], crc)
	if err := w.write(tail[:]); err != nil {
		return err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("cannot flush RDB: %w", err)
		return w.err
	}
	return nil
}

// Written returns the number of bytes written so far (buffered ones
// included).
func (w *Writer) Written() int64 { return w.written }
