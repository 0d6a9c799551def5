package diff

import (
	"strconv"
	"strings"
	"testing"
)

// TestListsFixed compares the list commands' replies and errors on fixed
// cases (t_list.c of Redis 7.0.15 is the reference), RESP2 then RESP3.
func TestListsFixed(t *testing.T) {
	h := Start(t)
	script := `
RPUSH l a b c 1 2 3 a b -0 007 9223372036854775807 -9223372036854775808 9223372036854775808
SET s v
LPUSH s a
LPUSHX nokey a
RPUSHX s a
LLEN l
LLEN s
LLEN nokey
LINDEX l 0
LINDEX l -1
LINDEX l 100
LINDEX l abc
LINDEX nokey abc
LINDEX s abc
LRANGE l 0 -1
LRANGE l -3 -2
LRANGE l 5 2
LRANGE l -100 100
LRANGE l 9223372036854775807 -9223372036854775808
LRANGE nokey 0 -1
LRANGE nokey x 1
LRANGE s 0 1
LSET nokey 0 a
LSET nokey x a
LSET l 100 a
LSET l x a
LSET l -1 last
LSET s 0 a
LINSERT l middle a b
LINSERT nokey before a b
LINSERT l before zz b
LINSERT l BEFORE 1 x
LINSERT l After 1 y
LINSERT s before a b
LREM l x a
LREM nokey 0 a
LREM l -1 a
LREM l 0 zz
LREM s 0 a
LPOS l a
LPOS l b RANK -1
LPOS l b RANK 0
LPOS l b RANK x
LPOS l b COUNT -1
LPOS l b COUNT x
LPOS l b MAXLEN -1
LPOS l b MAXLEN x
LPOS l b COUNT 0
LPOS l b COUNT 0 MAXLEN 3
LPOS l b RANK -9223372036854775808
LPOS l b RANK -9223372036854775808 COUNT 1
LPOS l b RANK 9223372036854775807
LPOS l b RANK
LPOS l b FOO 1
LPOS nokey a
LPOS nokey a COUNT 0
LPOS s a
LPOP l abc
LPOP l -1
LPOP l 0
LPOP nokey 0
LPOP nokey
LPOP l 1 2
LPOP s
RPOP s 0
LPOP l
RPOP l 2
LPOP l 3
LMPOP 0 l LEFT
LMPOP x l LEFT
LMPOP -1 l LEFT
LMPOP 2 l LEFT
LMPOP 1 l MIDDLE
LMPOP 1 l LEFT COUNT 0
LMPOP 1 l LEFT COUNT -1
LMPOP 1 l LEFT COUNT x
LMPOP 1 l LEFT COUNT
LMPOP 1 l LEFT COUNT 2 COUNT 3
LMPOP 1 l LEFT FOO
LMPOP 2 nokey l RIGHT COUNT 2
LMPOP 2 s l RIGHT
LMPOP 2 l s RIGHT
LMPOP 2 nokey nokey2 LEFT
LMOVE l l2 UP LEFT
LMOVE l l2 LEFT DOWN
LMOVE nokey l2 LEFT LEFT
RPOPLPUSH nokey l2
LMOVE l s LEFT LEFT
LMOVE s l LEFT LEFT
RPOPLPUSH l l2
LMOVE l l2 LEFT RIGHT
LMOVE l l RIGHT LEFT
RPOPLPUSH l l
LRANGE l 0 -1
LRANGE l2 0 -1
RPUSH one x
LMOVE one one LEFT RIGHT
LMOVE one two LEFT RIGHT
EXISTS one
LTRIM nokey 0 1
LTRIM l x 1
LTRIM s 0 1
LTRIM l 1 -2
LRANGE l 0 -1
LTRIM l -9223372036854775808 9223372036854775807
LTRIM l 5 1
EXISTS l
TYPE two
OBJECT ENCODING two
LPUSH
LPOP
LMPOP 1
LPOS l
`
	run := func() {
		for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
			h.Do(t, strings.Fields(line)...)
		}
	}
	run()
	h.Both(t, "FLUSHALL")
	h.Both(t, "HELLO", "3")
	run()
}

// TestListsRandom sends a seeded random stream of list commands to both
// servers: small and integer elements for matching, elements large enough
// to cross every node size limit, and list-max-listpack-size /
// list-compress-depth changes between lists.
func TestListsRandom(t *testing.T) {
	h := Start(t)
	r := h.Rand()
	keys := []string{"l0", "l1", "l2", "l3", "str"}
	h.Do(t, "SET", "str", "v")
	small := []string{"a", "b", "c", "", "0", "1", "-1", "12", "127", "128", "-4096", "4095", "4096", "70000",
		"-2147483648", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "007", "-0", "1.5"}
	elem := func() string {
		switch n := r.IntN(100); {
		case n < 70:
			return small[r.IntN(len(small))]
		case n < 90:
			return strconv.Itoa(r.IntN(1 << 20))
		case n < 97:
			return strings.Repeat(string(rune('a'+r.IntN(26))), r.IntN(300))
		default:
			// 4 KiB .. 70 KiB: beyond every byte limit of a node.
			return strings.Repeat(string(rune('A'+r.IntN(26))), 4000+r.IntN(66000))
		}
	}
	key := func() string {
		if r.IntN(20) == 0 {
			return "nokey"
		}
		return keys[r.IntN(len(keys))]
	}
	idx := func() string { return strconv.Itoa(r.IntN(40) - 20) }
	end := func() string {
		if r.IntN(2) == 0 {
			return "LEFT"
		}
		return "RIGHT"
	}
	fills := []string{"-5", "-4", "-3", "-2", "-1", "0", "1", "2", "3", "7", "128", "-100", "40000"}
	for i := 0; i < 4000; i++ {
		var args []string
		switch op := r.IntN(26); op {
		case 0, 1, 2, 3:
			cmd := []string{"LPUSH", "RPUSH", "LPUSHX", "RPUSHX"}[r.IntN(4)]
			args = []string{cmd, key()}
			for n := 1 + r.IntN(8); n > 0; n-- {
				args = append(args, elem())
			}
		case 4:
			args = []string{[]string{"LPOP", "RPOP"}[r.IntN(2)], key()}
		case 5:
			args = []string{[]string{"LPOP", "RPOP"}[r.IntN(2)], key(), strconv.Itoa(r.IntN(8) - 1)}
		case 6:
			args = []string{"LLEN", key()}
		case 7, 8:
			args = []string{"LRANGE", key(), idx(), idx()}
		case 9:
			args = []string{"LINDEX", key(), idx()}
		case 10:
			args = []string{"LSET", key(), idx(), elem()}
		case 11:
			args = []string{"LINSERT", key(), []string{"BEFORE", "AFTER"}[r.IntN(2)], small[r.IntN(len(small))], elem()}
		case 12:
			args = []string{"LREM", key(), strconv.Itoa(r.IntN(7) - 3), small[r.IntN(len(small))]}
		case 13:
			if r.IntN(4) == 0 {
				args = []string{"LTRIM", key(), idx(), idx()}
			} else { // mostly trims that keep most of the list
				args = []string{"LTRIM", key(), strconv.Itoa(r.IntN(5)), strconv.Itoa(-1 - r.IntN(5))}
			}
		case 14:
			args = []string{"LPOS", key(), small[r.IntN(len(small))]}
			if r.IntN(2) == 0 {
				args = append(args, "RANK", strconv.Itoa(r.IntN(7)-3))
			}
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", strconv.Itoa(r.IntN(5)))
			}
			if r.IntN(2) == 0 {
				args = append(args, "MAXLEN", strconv.Itoa(r.IntN(30)))
			}
		case 15, 16:
			args = []string{"LMOVE", key(), key(), end(), end()}
		case 17:
			args = []string{"RPOPLPUSH", key(), key()}
		case 18:
			n := 1 + r.IntN(3)
			args = []string{"LMPOP", strconv.Itoa(n)}
			for ; n > 0; n-- {
				args = append(args, key())
			}
			args = append(args, end())
			if r.IntN(2) == 0 {
				args = append(args, "COUNT", strconv.Itoa(1+r.IntN(10)))
			}
		case 19:
			args = []string{"CONFIG", "SET", "list-max-listpack-size", fills[r.IntN(len(fills))]}
		case 20:
			args = []string{"CONFIG", "SET", "list-compress-depth", strconv.Itoa(r.IntN(4))}
		case 21:
			switch r.IntN(8) {
			case 0, 1:
				args = []string{"DEL", key()}
			case 2:
				args = []string{"SET", key(), "v"} // WRONGTYPE for what follows
			default:
				args = []string{"LINDEX", key(), strconv.Itoa(r.IntN(2000) - 1000)}
			}
		case 22, 23:
			// A long list built at once, so trims and ranges cross nodes.
			args = []string{"RPUSH", key()}
			for n := 50 + r.IntN(400); n > 0; n-- {
				args = append(args, small[r.IntN(len(small))])
			}
		default:
			args = []string{"LRANGE", key(), "0", "-1"}
		}
		h.Do(t, args...)
		if t.Failed() {
			t.Fatalf("diverged at command %d (seed %d)", i, h.Seed)
		}
	}
	for _, k := range keys {
		h.Do(t, "LRANGE", k, "0", "-1")
		t.Logf("LLEN %s: %q", k, h.Do(t, "LLEN", k))
	}
}
