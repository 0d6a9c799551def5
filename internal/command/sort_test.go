package command_test

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// SORT tests, in the script format of zsets_test.go. Expected replies are
// redis-server 7.0.15's (sort.c); CINNABAR_ZSET_REFERENCE=host:port runs
// the scripts against a real Redis.

// Source: sortCommandGeneric and sortCompare in sort.c; sort.tcl "SORT
// sorted set", "SORT with LIMIT", "SORT ALPHA against integer encoded
// strings", "SORT with BY <constant> and STORE should still order output",
// "SORT against sorted sets", "SORT speed..." (the semantic part).
func TestSortBasics(t *testing.T) {
	collStart(t).run(t, `
RPUSH l 3 1 2 10 -5 1.5 => :6
SORT l => ["-5", "1", "1.5", "2", "3", "10"]
SORT l DESC => ["10", "3", "2", "1.5", "1", "-5"]
SORT l ALPHA => ["-5", "1", "1.5", "10", "2", "3"]
SORT l alpha desc => ["3", "2", "10", "1.5", "1", "-5"]
SORT l ASC DESC ASC => ["-5", "1", "1.5", "2", "3", "10"]
SORT_RO l DESC => ["10", "3", "2", "1.5", "1", "-5"]
SORT nokey => []
SORT_RO nokey ALPHA => []
RPUSH same 2 1 1.0 01 => :4
SORT same => ["01", "1", "1.0", "2"]
SORT same DESC => ["2", "1.0", "1", "01"]
SADD s 5 3 9 1 => :4
SORT s => ["1", "3", "5", "9"]
SORT s DESC LIMIT 1 2 => ["5", "3"]
SADD t b a c => :3
SORT t ALPHA => ["a", "b", "c"]
ZADD z 3 c 1 a 2 b => :3
SORT z ALPHA => ["a", "b", "c"]
SORT z ALPHA DESC => ["c", "b", "a"]
RPUSH inf -inf inf " 3" "0x10" => :4
SORT inf => ["-inf", " 3", "0x10", "inf"]
`)
}

// Source: the LIMIT clamping of sortCommandGeneric; sort.tcl "SORT with
// LIMIT", "SORT with big integers", "SORT with BY <constant> and LIMIT".
func TestSortLimit(t *testing.T) {
	collStart(t).run(t, `
RPUSH l 5 4 3 2 1 => :5
SORT l LIMIT 0 2 => ["1", "2"]
SORT l LIMIT 1 2 => ["2", "3"]
SORT l LIMIT 3 10 => ["4", "5"]
SORT l LIMIT 1 -1 => ["2", "3", "4", "5"]
SORT l LIMIT -10 2 => ["1", "2"]
SORT l LIMIT 5 1 => []
SORT l LIMIT 100 1 => []
SORT l LIMIT 0 0 => []
SORT l LIMIT 2 9223372036854775807 => ["3", "4", "5"]
SORT l LIMIT -9223372036854775808 1 => ["1"]
SORT l DESC LIMIT 1 2 => ["4", "3"]
SORT l BY nosort LIMIT 1 2 => ["4", "3"]
SORT l BY nosort DESC => ["1", "2", "3", "4", "5"]
SORT l BY nosort DESC LIMIT 1 2 => ["2", "3"]
SORT l BY nosort LIMIT 4 5 => ["1"]
SORT l BY nosort LIMIT 5 5 => []
SORT l LIMIT x 1 => -ERR value is not an integer or out of range
SORT l LIMIT 1 x => -ERR value is not an integer or out of range
SORT l LIMIT 1 => -ERR syntax error
SORT l LIMIT 9223372036854775808 1 => -ERR value is not an integer or out of range
ZADD z 1 a 2 b 3 c 4 d => :4
SORT z BY nosort => ["a", "b", "c", "d"]
SORT z BY nosort DESC => ["d", "c", "b", "a"]
SORT z BY nosort LIMIT 1 2 => ["b", "c"]
SORT z BY nosort DESC LIMIT 1 2 => ["c", "b"]
SORT z BY nosort DESC LIMIT 10 2 => []
`)
}

// Source: lookupKeyByPattern and the BY/GET handling of sortCommandGeneric;
// sort.tcl "SORT BY key", "SORT BY hash field", "SORT GET #", "SORT GET
// <const>", "SORT GET (key and hash) with sanity check", "SORT BY key STORE",
// "SORT BY hash field STORE", "SORT extracts STORE correctly", "SORT with
// STORE does not create empty lists", "SORT with STORE removes key if result
// is empty".
func TestSortByGet(t *testing.T) {
	collStart(t).run(t, `
RPUSH l 3 1 2 => :3
MSET w_1 30 w_2 10 w_3 20 o_1 one o_3 three => +OK
HSET h_1 f 5 g x => :2
HSET h_2 f 7 => :1
HSET h_3 f 6 => :1
SORT l BY w_* => ["2", "3", "1"]
SORT l BY w_* DESC => ["1", "3", "2"]
SORT l BY w_* GET # => ["2", "3", "1"]
SORT l BY w_* GET o_* GET # => [(nil), "2", "three", "3", "one", "1"]
SORT l BY h_*->f => ["1", "3", "2"]
SORT l BY h_*->f GET h_*->g GET h_*->f => ["x", "5", (nil), "6", (nil), "7"]
SORT l BY nokey_* => ["1", "2", "3"]
SORT l BY nokey_* ALPHA => ["3", "1", "2"]
SORT l BY w_* ALPHA => ["2", "3", "1"]
SORT l BY o_* ALPHA => ["2", "1", "3"]
SORT l BY nosort => ["3", "1", "2"]
SORT l BY nosort GET o_* => ["three", "one", (nil)]
SORT l GET nostar => [(nil), (nil), (nil)]
SORT l GET w_*-> => [(nil), (nil), (nil)]
SORT l GET ## => [(nil), (nil), (nil)]
SORT l BY h_*->nofield => ["1", "2", "3"]
SORT l BY w_*->f => ["1", "2", "3"]
SORT l GET h_* => [(nil), (nil), (nil)]
SORT l BY nosort BY w_* => ["3", "1", "2"]
SORT l BY w_* BY nosort => ["3", "1", "2"]
SORT l BY w_* LIMIT 1 1 GET o_* => ["three"]
SET w_2 notanumber => +OK
SORT l BY w_* => -ERR One or more scores can't be converted into double
SORT l BY w_* STORE dst => -ERR One or more scores can't be converted into double
EXISTS dst => :0
SORT l BY w_* ALPHA => ["3", "1", "2"]
HELLO 3 => *
SORT l BY nosort GET o_* => ["three", "one", _]
HELLO 2 => *
SORT l BY => -ERR syntax error
SORT l GET => -ERR syntax error
SORT l FOO => -ERR syntax error
`)
}

// Source: the STORE branch of sortCommandGeneric (setKey, or dbDelete for
// an empty result) and sort.tcl "SORT with STORE does not create empty
// lists (github issue 224)", "SORT with STORE removes key if result is
// empty (github issue 227)", "SORT_RO - Cannot run with STORE arg".
func TestSortStore(t *testing.T) {
	collStart(t).run(t, `
RPUSH l 3 1 2 => :3
MSET o_1 one o_3 three => +OK
SORT l STORE dst => :3
LRANGE dst 0 -1 => ["1", "2", "3"]
SORT l DESC LIMIT 0 2 STORE dst => :2
LRANGE dst 0 -1 => ["3", "2"]
SORT l GET o_* GET # STORE dst => :6
LRANGE dst 0 -1 => ["one", "1", "", "2", "three", "3"]
SET dst x => +OK
EXPIRE dst 100 => :1
SORT l STORE dst => :3
TYPE dst => +list
TTL dst => :-1
SORT nokey STORE dst => :0
EXISTS dst => :0
SORT l LIMIT 0 0 STORE dst => :0
SORT l STORE l => :3
LRANGE l 0 -1 => ["1", "2", "3"]
SORT_RO l STORE dst => -ERR syntax error
SORT l STORE => -ERR syntax error
SADD s b c a => :3
SORT s BY nosort STORE dst => :3
LRANGE dst 0 -1 => ["a", "b", "c"]
SORT s BY nosort DESC STORE dst => :3
LRANGE dst 0 -1 => ["c", "b", "a"]
SORT s BY nosort LIMIT 1 1 STORE dst => :1
LRANGE dst 0 -1 => ["b"]
OBJECT ENCODING dst => "quicklist"
`)
}

// Source: sortCommandGeneric's type check and zsetConvert; sort.tcl "SORT
// sorted set BY nosort should retain ordering", "SORT sorted set BY nosort
// + LIMIT", "SORT sorted set: +inf and -inf handling".
func TestSortTypes(t *testing.T) {
	collStart(t).run(t, `
SET str x => +OK
SORT str => -WRONGTYPE Operation against a key holding the wrong kind of value
HSET h a 1 => :1
SORT h => -WRONGTYPE Operation against a key holding the wrong kind of value
SORT str FOO => -ERR syntax error
SORT str LIMIT x 1 => -ERR value is not an integer or out of range
ZADD z 1 a 2 b => :2
OBJECT ENCODING z => "listpack"
SORT_RO z BY nosort => ["a", "b"]
OBJECT ENCODING z => "skiplist"
ZADD zz -inf x inf y 0 z => :3
SORT zz BY nosort => ["x", "z", "y"]
SORT zz => -ERR One or more scores can't be converted into double
RPUSH bad a 1 => :2
SORT bad => -ERR One or more scores can't be converted into double
SORT bad ALPHA => ["1", "a"]
`)
}

// ALPHA compares C strings (strcoll in the C locale) except under STORE,
// which compares binary strings: the two orders differ when an element has
// a NUL byte (sortCompare's collateStringObjects vs compareStringObjects).
// Ties keep the loading order, as glibc's merge sort does; BY with LIMIT
// uses pqsort, whose arrangement of ties is reproduced.
func TestSortAlphaOrder(t *testing.T) {
	collStart(t).run(t, `
RPUSH n "a\x00b" "a\x00a" a b A "\xff" "a\x00" => :7
SORT n ALPHA => ["A", "a\x00b", "a\x00a", "a", "a\x00", "b", "\xff"]
SORT n ALPHA DESC => ["\xff", "b", "a\x00b", "a\x00a", "a", "a\x00", "A"]
SORT n ALPHA STORE d => :7
LRANGE d 0 -1 => ["A", "a", "a\x00", "a\x00a", "a\x00b", "b", "\xff"]
SORT n GET "#\x00x" => -ERR One or more scores can't be converted into double
RPUSH nums "1\x00abc" 2 => :2
SORT nums => ["1\x00abc", "2"]
`)
	zc := collStart(t)
	for i := range 50 {
		zc.do(t, "RPUSH", "l", strconv.Itoa((i*37)%50))
		zc.do(t, "SET", "w_"+strconv.Itoa(i), string("abc"[i%3]))
	}
	zc.run(t, `
SORT l BY w_* ALPHA LIMIT 10 10 => ["30", "48", "6", "15", "18", "0", "45", "19", "37", "22"]
SORT l BY w_* ALPHA DESC LIMIT 20 8 => ["7", "31", "16", "40", "1", "25", "49", "10"]
SORT l BY w_* ALPHA LIMIT 0 14 => *
SORT l BY w_* ALPHA LIMIT 0 50 => ["0", "24", "48", "9", "33", "18", "42", "3", "27", "12", "36", "21", "45", "6", "30", "15", "39", "37", "22", "46", "7", "31", "16", "40", "1", "25", "49", "10", "34", "19", "43", "4", "28", "13", "11", "35", "20", "44", "5", "29", "14", "38", "23", "47", "8", "32", "17", "41", "2", "26"]
SORT l BY nokey_* ALPHA LIMIT 10 5 => ["20", "7", "44", "31", "18"]
`)
}

// TestSortConcurrent runs SORTs whose BY and GET patterns read keys all
// over the keyspace, with STORE, while other clients write those keys:
// under -race this checks that SORT locks what it reads and writes.
func TestSortConcurrent(t *testing.T) {
	s := servertest.Start(t, nil)
	const clients, rounds = 4, 200
	var wg sync.WaitGroup
	errs := make(chan error, 2*clients)
	for i := range 2 * clients {
		conn := s.Dial(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := bufio.NewReader(conn)
			for j := range rounds {
				var args []string
				if i%2 == 0 {
					args = []string{"SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "STORE", "dst" + strconv.Itoa(i)}
					if j%3 == 0 {
						args = []string{"SORT", "l", "LIMIT", "0", "5", "STORE", "l" + strconv.Itoa(i)}
					}
				} else {
					n := strconv.Itoa((i*rounds + j) % 50)
					args = []string{"SET", "w_" + n, strconv.Itoa(j)}
					if j%2 == 0 {
						args = []string{"RPUSH", "l", n}
					}
				}
				if _, err := conn.Write(encodeCommand(args)); err != nil {
					errs <- err
					return
				}
				if reply, err := zsRender(r); err != nil || strings.HasPrefix(reply, "-") {
					errs <- fmt.Errorf("%q: %q %v", args, reply, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func encodeCommand(args []string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"+a+"\r\n"...)
	}
	return b
}
