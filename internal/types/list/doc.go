// Package list is the value type behind Redis list keys: a quicklist-like
// doubly linked list of byte-packed nodes.
//
// # Structure
//
// A List is a chain of nodes. Each node owns one byte array holding a run of
// consecutive elements in a compact listpack-like encoding (described below),
// so the Go heap sees one node struct and one array per few kilobytes of
// elements, never a pointer per element. The live bytes of a node occupy
// data[start:end]; slack may be kept at both ends so that pushes and pops at
// either end of the list are O(1) amortized without memmoves.
//
// Node size follows Redis's list-max-listpack-size ("fill"), see
// quicklist.c _quicklistNodeAllowInsert in Redis 7.0:
//
//	fill -1..-5  a node holds at most 4, 8, 16, 32, 64 KiB of encoded entries
//	fill >= 0    a node holds at most fill entries and at most 8 KiB
//	             (fill 0 therefore means one entry per node)
//
// fill below -5 is clamped to -5 and above 32767 to 32767, as quicklistSetFill
// does. An element too large for any node gets a node of its own. Unlike Redis
// the byte limit is checked against the exact encoded size rather than an
// estimate, and nodes that become small after deletions in the middle of the
// list are merged with a neighbour when the pair fits the limit.
//
// Node arrays of the full node size (4 to 32 KiB) in a list of 16 nodes or
// more are slots cut from slabs of up to 64 KiB: the Go runtime gives every
// object of 8 KiB or more a span of its own, whose metadata (about 300 bytes)
// would otherwise cost about as much per node as the node struct. Slots are
// never reused; a slab goes once no node uses it, and when lost slots exceed
// half the node count the nodes in partly used slabs are moved out
// (amortized O(1) per node freed). While the heap holds free resident pages,
// plain arrays are used instead, since they fill those holes.
//
// list-compress-depth is accepted by New and recorded, but nodes are never
// compressed: it only matters for memory, never for replies.
//
// OBJECT ENCODING: Redis 7.0.15 always creates lists as quicklists
// (t_list.c pushGenericCommand -> createQuicklistObject; the listpack list
// encoding only appeared in 7.2), so Encoding always answers "quicklist",
// even for a one-element list.
//
// # Entry encoding
//
// Every entry is a header, an optional payload and a backlen:
//
//	+--------+-----------+---------+
//	| header | payload   | backlen |
//	+--------+-----------+---------+
//	 <------- L bytes ---> 1..5 bytes
//
// Header (first byte, then any length bytes):
//
//	0xxxxxxx                    integer 0..127, no payload
//	10LLLLLL                    string, length 0..63, payload follows
//	110vvvvv vvvvvvvv           integer -4096..4095 (13-bit two's complement,
//	                            high bits first)
//	1110LLLL LLLLLLLL           string, length 64..4095 (12 bits, high first)
//	11110000 L L L L            string, 32-bit little-endian length
//	11110001 b b                int16, little-endian
//	11110010 b b b              int24, little-endian
//	11110011 b b b b            int32, little-endian
//	11110100 b b b b b b b b    int64, little-endian
//
// A string is stored as an integer exactly when it is the canonical decimal
// form of an int64 (no sign but '-', no leading zeros, not "-0", at most 20
// bytes), the rule of listpack.c lpStringToInt64; reading it back always
// yields the same bytes, so integer encoding is invisible to callers.
//
// backlen is L written as 7-bit groups so that it can be read from its last
// byte backwards: the last byte holds the lowest 7 bits, the byte before it
// the next 7, and every byte except the first (leftmost) has 0x80 set:
//
//	L = 5      -> 00000101
//	L = 300    -> 00000010 10101100        (300 = 2<<7 | 44)
//
// A 10-byte non-numeric string therefore costs 1+10+1 = 12 bytes.
//
// # Validity of returned memory
//
// Values handed in are always copied. Entry.Str handed out by Index, Range
// and Iterator aliases the list's memory and is valid only until the next
// call that modifies the list; Iterators are likewise invalidated by any
// modification. Pop appends the removed value to a caller buffer, so its
// result stays valid (use it for LMOVE with source == destination).
//
// The type does no locking: callers (command handlers under a shard lock)
// must serialize access.
package list
