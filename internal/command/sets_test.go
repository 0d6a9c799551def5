package command_test

import (
	"slices"
	"strconv"
	"testing"
)

// Set command tests, in the script format of zsets_test.go. Expected
// replies are redis-server 7.0.15's (t_set.c); CINNABAR_ZSET_REFERENCE=
// host:port runs the scripts against a real Redis. Members of a hashtable
// set come in an unspecified order, so the scripts compare those only
// through SCARD, SISMEMBER or sorted (SORT ... ALPHA) views.

// Source: saddCommand, sremCommand, sismemberCommand, smismemberCommand,
// scardCommand in t_set.c; set.tcl "SADD, SCARD, SISMEMBER, SMISMEMBER,
// SMEMBERS basics", "SREM basics", "SMISMEMBER requires one or more
// members", "SADD against non set".
func TestSetBasics(t *testing.T) {
	collStart(t).run(t, `
SADD s 3 1 2 => :3
SADD s 2 4 => :1
SMEMBERS s => ["1", "2", "3", "4"]
SMEMBERS nokey => []
SISMEMBER s 2 => :1
SISMEMBER s 5 => :0
SISMEMBER s x => :0
SISMEMBER nokey 1 => :0
SMISMEMBER s 1 x 4 => [:1, :0, :1]
SMISMEMBER nokey 1 2 => [:0, :0]
SMISMEMBER s => -ERR wrong number of arguments for 'smismember' command
SCARD s => :4
SCARD nokey => :0
SREM s 1 9 x => :1
SREM nokey 1 => :0
SREM s 2 3 4 9 => :3
EXISTS s => :0
SADD s => -ERR wrong number of arguments for 'sadd' command
SET str x => +OK
SADD str a => -WRONGTYPE Operation against a key holding the wrong kind of value
SREM str a => -WRONGTYPE Operation against a key holding the wrong kind of value
SISMEMBER str a => -WRONGTYPE Operation against a key holding the wrong kind of value
SMISMEMBER str a => -WRONGTYPE Operation against a key holding the wrong kind of value
SCARD str => -WRONGTYPE Operation against a key holding the wrong kind of value
SMEMBERS str => -WRONGTYPE Operation against a key holding the wrong kind of value
SPOP str => -WRONGTYPE Operation against a key holding the wrong kind of value
SRANDMEMBER str => -WRONGTYPE Operation against a key holding the wrong kind of value
SSCAN str 0 => -WRONGTYPE Operation against a key holding the wrong kind of value
`)
}

// Source: setTypeCreate, setTypeAdd in t_set.c; set.tcl "SADD a non-integer
// against an intset", "SADD an integer larger than 64 bits", "SADD overflows
// the maximum allowed integers in an intset", "Set encoding after ...".
func TestSetIntsetEncoding(t *testing.T) {
	collStart(t, "--set-max-intset-entries", "4").run(t, `
SADD s 1 2 3 4 => :4
OBJECT ENCODING s => "intset"
SADD s 5 => :1
OBJECT ENCODING s => "hashtable"
SADD a x => :1
OBJECT ENCODING a => "hashtable"
SADD b 1 x => :2
OBJECT ENCODING b => "hashtable"
SADD c 01 => :1
OBJECT ENCODING c => "hashtable"
SADD d 9223372036854775808 => :1
OBJECT ENCODING d => "hashtable"
SADD e -9223372036854775808 9223372036854775807 0 => :3
OBJECT ENCODING e => "intset"
SMEMBERS e => ["-9223372036854775808", "0", "9223372036854775807"]
SREM e 0 => :1
SISMEMBER e 9223372036854775807 => :1
SISMEMBER e 09223372036854775807 => :0
`)
}

// Source: sinterGenericCommand and sunionDiffGenericCommand in t_set.c;
// set.tcl "SINTER against three sets", "SINTERSTORE with three sets",
// "SUNION with non existing keys", "SDIFF with first set empty", "SDIFF
// against non-set should throw error", "SINTER should handle non existing
// key as empty", "SINTERSTORE against non existing keys should delete dstkey".
func TestSetAlgebra(t *testing.T) {
	collStart(t).run(t, `
SADD a 1 2 3 4 => :4
SADD b 3 4 5 => :3
SADD c 4 5 6 3 => :4
SINTER a b c => ["3", "4"]
SINTER a nokey => []
SINTER nokey a => []
SINTER a => ["1", "2", "3", "4"]
SINTER a a => ["1", "2", "3", "4"]
SUNION a b c => ["1", "2", "3", "4", "5", "6"]
SUNION nokey a nokey2 => ["1", "2", "3", "4"]
SUNION nokey => []
SDIFF a b c => ["1", "2"]
SDIFF a nokey => ["1", "2", "3", "4"]
SDIFF nokey a => []
SDIFF a a => []
SDIFF a b a => []
SINTERSTORE d a b c => :2
SMEMBERS d => ["3", "4"]
SUNIONSTORE d a c => :6
SMEMBERS d => ["1", "2", "3", "4", "5", "6"]
SDIFFSTORE d a b => :2
SMEMBERS d => ["1", "2"]
SET str x => +OK
EXPIRE d 100 => :1
SINTERSTORE d a b => :2
TTL d => :-1
SINTERSTORE str a b => :2
TYPE str => +set
SINTERSTORE d a nokey => :0
EXISTS d => :0
SUNIONSTORE d a => :4
SUNIONSTORE d nokey => :0
EXISTS d => :0
SDIFFSTORE d a a => :0
SET str x => +OK
SINTER a str => -WRONGTYPE Operation against a key holding the wrong kind of value
SINTER nokey str => -WRONGTYPE Operation against a key holding the wrong kind of value
SUNION a str => -WRONGTYPE Operation against a key holding the wrong kind of value
SDIFF a str => -WRONGTYPE Operation against a key holding the wrong kind of value
SDIFF nokey str => -WRONGTYPE Operation against a key holding the wrong kind of value
SINTERSTORE d a str => -WRONGTYPE Operation against a key holding the wrong kind of value
SUNIONSTORE d str => -WRONGTYPE Operation against a key holding the wrong kind of value
SDIFFSTORE a str => -WRONGTYPE Operation against a key holding the wrong kind of value
SMEMBERS a => ["1", "2", "3", "4"]
SINTERSTORE str2 nokey => :0
`)
}

// The result of the set algebra is built member by member, so its encoding
// is Redis's: SDIFF's second algorithm (picked when the first set is big
// next to the work of checking every other set) adds the whole first set
// before removing the others' members, which converts the result when the
// first set holds a non-integer (sunionDiffGenericCommand).
func TestSetAlgebraEncoding(t *testing.T) {
	collStart(t).run(t, `
SADD s1 1 2 3 a => :4
SADD s2 a => :1
SADD s3 a => :1
SADD s4 a => :1
SADD s5 a => :1
SDIFFSTORE d s1 s2 s3 s4 s5 => :3
OBJECT ENCODING d => "hashtable"
SDIFFSTORE d s1 s2 => :3
OBJECT ENCODING d => "intset"
SINTERSTORE d s1 s1 => :4
OBJECT ENCODING d => "hashtable"
SUNIONSTORE d s2 => :1
OBJECT ENCODING d => "hashtable"
SADD h 3 1 2 a => :4
SREM h a => :1
OBJECT ENCODING h => "hashtable"
SUNIONSTORE d h => :3
OBJECT ENCODING d => "intset"
SMEMBERS d => ["1", "2", "3"]
SPOP h 5 => ["1", "2", "3"]
`)
}

// Source: sinterCardCommand in t_set.c; set.tcl "SINTERCARD with illegal
// arguments", "SINTERCARD against non-set should throw error", "SINTERCARD
// against non-existing key".
func TestSintercard(t *testing.T) {
	collStart(t).run(t, `
SADD a 1 2 3 4 => :4
SADD b 2 3 4 5 => :4
SINTERCARD 2 a b => :3
SINTERCARD 2 a b LIMIT 2 => :2
SINTERCARD 2 a b LIMIT 0 => :3
SINTERCARD 2 a b LIMIT 10 => :3
SINTERCARD 2 a b limit 1 LIMIT 0 => :3
SINTERCARD 1 a => :4
SINTERCARD 2 a nokey => :0
SINTERCARD 0 a => -ERR numkeys should be greater than 0
SINTERCARD -1 a => -ERR numkeys should be greater than 0
SINTERCARD x a => -ERR numkeys should be greater than 0
SINTERCARD 3 a b => -ERR Number of keys can't be greater than number of args
SINTERCARD 2 a b LIMIT => -ERR syntax error
SINTERCARD 2 a b LIMIT -1 => -ERR LIMIT can't be negative
SINTERCARD 2 a b LIMIT x => -ERR LIMIT can't be negative
SINTERCARD 2 a b FOO => -ERR syntax error
SINTERCARD 1 a b => -ERR syntax error
SET str x => +OK
SINTERCARD 2 a str => -WRONGTYPE Operation against a key holding the wrong kind of value
SINTERCARD 1 => -ERR wrong number of arguments for 'sintercard' command
`)
}

// Source: spopCommand, spopWithCountCommand, srandmemberCommand and
// srandmemberWithCountCommand in t_set.c; set.tcl "SPOP using integers,
// testing Knuth's and Floyd's algorithm", "SPOP with <count>=1", "SPOP new
// implementation: code path #1/#2/#3", "SRANDMEMBER count of 0 is handled
// correctly", "SRANDMEMBER with <count> against non existing key", "SRANDMEMBER
// count overflow".
func TestSpopSrandmemberErrors(t *testing.T) {
	collStart(t).run(t, `
SADD s 1 => :1
SPOP nokey => (nil)
SPOP nokey 3 => []
SPOP s 0 => []
SPOP s -1 => -ERR value is out of range, must be positive
SPOP s x => -ERR value is out of range, must be positive
SPOP s 1 2 => -ERR syntax error
SRANDMEMBER nokey => (nil)
SRANDMEMBER nokey 3 => []
SRANDMEMBER nokey -3 => []
SRANDMEMBER s 0 => []
SRANDMEMBER s x => -ERR value is not an integer or out of range
SRANDMEMBER s -9223372036854775808 => -ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807
SRANDMEMBER s 1 2 => -ERR syntax error
SRANDMEMBER s => "1"
SRANDMEMBER s 5 => ["1"]
SRANDMEMBER s -3 => ["1", "1", "1"]
SPOP s => "1"
EXISTS s => :0
SADD s 2 1 => :2
SPOP s 2 => ["1", "2"]
EXISTS s => :0
HELLO 3 => *
SPOP nokey 3 => ~[]
SADD s 1 => :1
SPOP s 5 => ~["1"]
SRANDMEMBER nokey 5 => []
`)
}

// TestSpopSrandmemberPicks checks what SPOP and SRANDMEMBER leave to chance,
// for both encodings and each of Redis's strategies: the right number of
// members, distinct for SPOP and a positive SRANDMEMBER count, all from the
// set, and SPOP removes exactly what it returns.
func TestSpopSrandmemberPicks(t *testing.T) {
	zc := collStart(t, "--set-max-intset-entries", "64")
	for _, typ := range []string{"int", "str"} {
		for _, n := range []int{10, 100} {
			key := typ + strconv.Itoa(n)
			members := map[string]bool{}
			for i := range n {
				m := strconv.Itoa(i)
				if typ == "str" {
					m = "m" + m
				}
				members[m] = true
				zc.do(t, "SADD", key, m)
			}
			for _, count := range []int{1, 2, n / 4, n / 2, n - 1, -3, -2 * n} {
				got := parseFlat(t, zc.do(t, "SRANDMEMBER", key, strconv.Itoa(count)))
				want := count
				if count < 0 {
					want = -count
				}
				checkPicks(t, "SRANDMEMBER "+key+" "+strconv.Itoa(count), got, want, count > 0, members)
			}
			// SPOP n/10 (members one by one), then most of what is left
			// (the set of survivors is rebuilt), then the rest.
			left := n
			for _, count := range []int{n / 10, n*9/10 - 1, 5} {
				got := parseFlat(t, zc.do(t, "SPOP", key, strconv.Itoa(count)))
				want := min(count, left)
				checkPicks(t, "SPOP "+key+" "+strconv.Itoa(count), got, want, true, members)
				for _, m := range got {
					delete(members, m)
				}
				left -= len(got)
				if card := zc.do(t, "SCARD", key); card != ":"+strconv.Itoa(left) {
					t.Fatalf("SCARD %s after SPOP = %s, want %d", key, card, left)
				}
			}
			if left == 0 {
				if ex := zc.do(t, "EXISTS", key); ex != ":0" {
					t.Errorf("emptied %s still exists", key)
				}
			}
		}
	}
}

func checkPicks(t *testing.T, what string, got []string, n int, distinct bool, members map[string]bool) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%s: %d members, want %d", what, len(got), n)
	}
	seen := map[string]bool{}
	for _, m := range got {
		if !members[m] {
			t.Errorf("%s: %q is not a member", what, m)
		}
		if distinct && seen[m] {
			t.Errorf("%s: %q twice", what, m)
		}
		seen[m] = true
	}
}

// Source: smoveCommand in t_set.c; set.tcl "SMOVE basics - from regular set
// to intset", "SMOVE non existing key", "SMOVE non existing src set", "SMOVE
// from regular set to non existing destination set", "SMOVE wrong src key
// type", "SMOVE wrong dst key type", "SMOVE with identical source and
// destination", "SMOVE only notify dstset when the addition is successful".
func TestSmove(t *testing.T) {
	collStart(t).run(t, `
SADD src a 1 => :2
SADD dst 2 => :1
SMOVE src dst 1 => :1
SMEMBERS dst => ["1", "2"]
OBJECT ENCODING dst => "intset"
SMOVE src dst a => :1
EXISTS src => :0
OBJECT ENCODING dst => "hashtable"
SMOVE src dst a => :0
SMOVE dst new 2 => :1
SMEMBERS new => ["2"]
OBJECT ENCODING new => "intset"
SMOVE dst new2 a => :1
OBJECT ENCODING new2 => "hashtable"
SMOVE dst dst 1 => :1
SMOVE dst dst 9 => :0
SMOVE dst new 99 => :0
SET str x => +OK
SMOVE nokey str a => :0
SMOVE dst str 1 => -WRONGTYPE Operation against a key holding the wrong kind of value
SMOVE str dst a => -WRONGTYPE Operation against a key holding the wrong kind of value
SADD x 1 => :1
SADD y 1 => :1
SMOVE x y 1 => :1
EXISTS x => :0
SMEMBERS y => ["1"]
`)
}

// Source: sscanCommand and scanGenericCommand in db.c; scan.tcl "SSCAN with
// encoding intset/hashtable", "SSCAN with integer encoded object", "SSCAN
// with PATTERN".
func TestSscan(t *testing.T) {
	zc := collStart(t)
	zc.run(t, `
SSCAN nokey 0 => ["0", []]
SSCAN nokey x => -ERR invalid cursor
SADD s 10 2 11 => :3
SSCAN s 0 => ["0", ["2", "10", "11"]]
SSCAN s 0 MATCH 1* COUNT 1 => ["0", ["10", "11"]]
SSCAN s 0 COUNT 0 => -ERR syntax error
SSCAN s 0 COUNT -1 => -ERR syntax error
SSCAN s 0 MATCH => -ERR syntax error
SSCAN s 18446744073709551616 => -ERR invalid cursor
`)
	var want []string
	for i := range 300 {
		m := "m" + strconv.Itoa(i)
		want = append(want, m)
		zc.do(t, "SADD", "big", m)
	}
	got := map[string]bool{}
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 1000 {
			t.Fatal("SSCAN does not end")
		}
		cur, items := splitScan(t, zc.do(t, "SSCAN", "big", cursor))
		for _, m := range items {
			got[m] = true
		}
		if cursor = cur; cursor == "0" {
			break
		}
	}
	var missing []string
	for _, m := range want {
		if !got[m] {
			missing = append(missing, m)
		}
	}
	if len(missing) > 0 || len(got) != len(want) {
		t.Errorf("SSCAN: %d members, missing %q", len(got), missing)
	}
}

// RESP3 shapes: SMEMBERS, SINTER, SUNION, SDIFF and SPOP with a count reply
// with a set ("~"), SRANDMEMBER with a count with an array, SISMEMBER with
// an integer (sinterGenericCommand's setDeferredSetLen, addReplySetLen).
func TestSetResp3(t *testing.T) {
	collStart(t).run(t, `
HELLO 3 => *
SADD s 2 1 => :2
SMEMBERS s => ~["1", "2"]
SMEMBERS nokey => ~[]
SINTER s nokey => ~[]
SINTER s s => ~["1", "2"]
SUNION s => ~["1", "2"]
SDIFF s nokey => ~["1", "2"]
SISMEMBER s 1 => :1
SMISMEMBER s 1 3 => [:1, :0]
SRANDMEMBER s 2 => ["1", "2"]
SRANDMEMBER s -1 => *
SPOP nokey => _
SRANDMEMBER nokey => _
SINTERCARD 1 s => :2
SSCAN s 0 => ["0", ["1", "2"]]
`)
}

// TestSetsMembersSorted cross-checks SMEMBERS of a hashtable set through
// SORT ALPHA (the members' order is unspecified).
func TestSetsMembersSorted(t *testing.T) {
	zc := collStart(t)
	var want []string
	for _, m := range []string{"b", "a", "c", "10", "9"} {
		zc.do(t, "SADD", "s", m)
		want = append(want, m)
	}
	slices.Sort(want)
	got := parseFlat(t, zc.do(t, "SMEMBERS", "s"))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("SMEMBERS = %q, want %q", got, want)
	}
	if sorted := parseFlat(t, zc.do(t, "SORT", "s", "ALPHA")); !slices.Equal(sorted, want) {
		t.Errorf("SORT s ALPHA = %q, want %q", sorted, want)
	}
}
