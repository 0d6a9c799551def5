// Package rdb is Redis 7.0's RDB value serialization (RDB version 10), as
// used by DUMP/RESTORE payloads and by FUNCTION DUMP/RESTORE (src/rdb.c,
// src/cluster.c createDumpPayload/verifyDumpPayload in Redis 7.0.15).
//
// A DUMP payload is one serialized value followed by a footer:
//
//	+------+-------------+----------------+-----------------+
//	| type | value bytes | RDB version LE | CRC64 LE        |
//	| 1 B  |  ...        | 2 B (10)       | 8 B (Jones)     |
//	+------+-------------+----------------+-----------------+
//
// The CRC64 covers everything before it, the version included.
//
// Lengths use the RDB length encoding (first byte's top two bits):
//
//	00pppppp                  6-bit length
//	01pppppp qqqqqqqq         14-bit length, big endian
//	10000000 <4 bytes BE>     32-bit length
//	10000001 <8 bytes BE>     64-bit length
//	11vvvvvv                  special string encoding: 0 int8, 1 int16,
//	                          2 int32 (little endian), 3 LZF
//
// An LZF string is 0xC3, the compressed length, the uncompressed length and
// the compressed bytes. Small collections are stored as one blob in the
// listpack, ziplist, intset or zipmap formats; those blobs are parsed with
// bounds checks so that a malformed payload is an error, never a panic.
//
// Strings longer than 20 bytes are LZF-compressed exactly as Redis's
// lzf_c.c does (Encoder; NoCompression is rdbcompression no), so payloads
// of strings and small collections are byte-identical to Redis's.
//
// A FUNCTION DUMP payload is a sequence of (245, library code string)
// entries followed by the same footer.
//
// Whole RDB files (SAVE, BGSAVE, the SYNC payload) are written by Writer
// and read by Load; their layout is drawn in file.go.
package rdb
