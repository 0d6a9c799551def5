package diff

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBlockingFixed compares the blocking commands' immediate replies and
// errors (Redis 7.0.15's t_list.c, t_zset.c, timeout.c and networking.c's
// CLIENT UNBLOCK are the reference), RESP2 then RESP3. Timeouts are short
// (10 ms) so that the commands that block time out with the same reply.
func TestBlockingFixed(t *testing.T) {
	h := Start(t)
	script := `
RPUSH l1 a b c
RPUSH l2 x y z
ZADD z1 1 one 2 two 3 three 4 four
ZADD z2 1.5 a 2.5 b
SET str v
BLPOP nokey l2 l1 0
BRPOP l1 l2 0
BLPOP nokey str l1 0
BLPOP nokey 0.01
BRPOP nokey1 nokey2 0.01
BLPOP k abc
BLPOP k -1
BLPOP k -0.002
BLPOP k inf
BLPOP k -inf
BLPOP k 1e20
BLPOP k 1e400
BLPOP k nan
BLPOP k 1e-5000
BLPOP k 0.0001
BLPOP k 0x0.01p0
BLPOP k
BLMPOP 0 2 nokey l1 LEFT
BLMPOP 0 2 nokey l2 RIGHT COUNT 10
BLMPOP 0.01 1 nokey LEFT
BLMPOP abc 0 k LEFT
BLMPOP abc 1 k LEFT COUNT 0
BLMPOP abc 1 k UP
BLMPOP abc 1 k LEFT
BLMPOP -1 1 k LEFT
BLMPOP 0 1 k LEFT COUNT
BLMPOP 0 2 k LEFT
BLMPOP 0 1 str LEFT
RPUSH src 1 2 3
BRPOPLPUSH src dst 0
BLMOVE src dst LEFT LEFT 0
BLMOVE src dst RIGHT UP 0
BLMOVE src dst UP RIGHT x
BLMOVE src dst LEFT RIGHT -1
BLMOVE src str LEFT RIGHT 0
BLMOVE str dst LEFT RIGHT 0
BLMOVE nokey dst LEFT RIGHT 0.01
BRPOPLPUSH nokey dst 0.01
BRPOPLPUSH str dst 0.01
LRANGE src 0 -1
LRANGE dst 0 -1
BZPOPMIN nokey z1 z2 0
BZPOPMAX z2 z1 0
BZPOPMIN nokey str 0
BZPOPMIN nokey 0.01
BZPOPMAX nokey abc
BZPOPMAX nokey -1
BZMPOP 0 2 nokey z1 MIN COUNT 2
BZMPOP 0 1 z1 MAX COUNT 10
BZMPOP 0.01 1 z1 MAX
BZMPOP abc 0 k MIN
BZMPOP abc 1 k MIN
BZMPOP -1 1 k MIN
BZMPOP 0 1 k foo
BZMPOP 0 1 k MIN COUNT 0
BZMPOP 0 1 str MIN
BZMPOP 0 2 nokey str MAX
CLIENT UNBLOCK abc
CLIENT UNBLOCK abc foo
CLIENT UNBLOCK 1 foo
CLIENT UNBLOCK 1 timeout x
CLIENT UNBLOCK 99999
CLIENT UNBLOCK 99999 ERROR
MULTI
BLPOP nokey 0
BRPOPLPUSH nokey dst 0
BLMOVE nokey dst LEFT LEFT 0
BLMPOP 0 1 nokey LEFT
BZPOPMIN nokey 0
BZMPOP 0 1 nokey MIN
BLPOP dst 0
EXEC
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

// bstep is one step of a blocking scenario.
type bstep struct {
	peer string // "c" is the control client; others are blocking clients
	op   byte   // 's' send only, 'r' read one reply, 'd' send and read, 'x' send and read without comparing, 'w' wait for n blocked clients, 'u' CLIENT UNBLOCK peer [args]
	args []string
	n    int
}

func bs(peer string, op byte, cmd string) bstep {
	return bstep{peer: peer, op: op, args: strings.Fields(cmd)}
}

func bwait(n int) bstep { return bstep{op: 'w', n: n} }

// runBlockingScenario runs steps against the server at addr and returns
// the replies to compare, one per step ("" for steps with none).
func runBlockingScenario(t *testing.T, addr string, steps []bstep) []string {
	t.Helper()
	peers := map[string]*Peer{}
	ids := map[string]string{}
	peer := func(name string) *Peer {
		if p := peers[name]; p != nil {
			return p
		}
		p := Dial(t, addr)
		peers[name] = p
		id := p.Send(t, Encode(nil, "CLIENT", "ID"), 1)[0]
		ids[name] = strings.TrimSuffix(strings.TrimPrefix(string(id), ":"), "\r\n")
		return p
	}
	ctl := peer("c")
	ctl.Send(t, Encode(nil, "FLUSHALL"), 1)
	out := make([]string, len(steps))
	for i, st := range steps {
		switch st.op {
		case 's':
			if _, err := peer(st.peer).Conn.Write(Encode(nil, st.args...)); err != nil {
				t.Fatalf("%s: write: %v", addr, err)
			}
		case 'r':
			out[i] = string(peer(st.peer).Send(t, nil, 1)[0])
		case 'd':
			out[i] = string(peer(st.peer).Send(t, Encode(nil, st.args...), 1)[0])
		case 'x':
			peer(st.peer).Send(t, Encode(nil, st.args...), 1)
		case 'u':
			args := append([]string{"CLIENT", "UNBLOCK", ids[st.peer]}, st.args...)
			out[i] = string(ctl.Send(t, Encode(nil, args...), 1)[0])
		case 'w':
			want := []byte("blocked_clients:" + strconv.Itoa(st.n) + "\r\n")
			deadline := time.Now().Add(5 * time.Second)
			for !bytes.Contains(ctl.Send(t, Encode(nil, "INFO", "clients"), 1)[0], want) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: step %d: never %q", addr, i, want)
				}
				time.Sleep(2 * time.Millisecond)
			}
		}
	}
	return out
}

// TestBlockingScenarios runs the same blocking scenarios on both servers
// (clients that block, then pushes from a control client) and compares
// every reply: serving order, wake-ups, types, transactions, CLIENT
// UNBLOCK, RESP3 (list.tcl, zset.tcl and blocked.c are the reference).
func TestBlockingScenarios(t *testing.T) {
	RequireRedis(t)
	raddr := StartRedis(t)
	h := Start(t) // for the Cinnabar address; its Redis is not used here
	caddr := h.Cinnabar.Addr
	for _, sc := range []struct {
		name  string
		steps []bstep
	}{
		{"fifo and key order", []bstep{
			bs("a", 's', "BLPOP k1 k2 0"), bwait(1),
			bs("b", 's', "BRPOP k2 0"), bwait(2),
			bs("d", 's', "BLMPOP 0 1 k2 LEFT COUNT 2"), bwait(3),
			bs("e", 's', "BLPOP k2 0"), bwait(4),
			bs("c", 'd', "RPUSH k2 x y z w"),
			bs("a", 'r', ""), bs("b", 'r', ""), bs("d", 'r', ""),
			bwait(1), bs("c", 'd', "EXISTS k2"),
			bs("c", 'd', "LPUSH k1 v"), bs("c", 'd', "LPUSH k2 v"),
			bs("e", 'r', ""), bs("c", 'd', "LRANGE k1 0 -1"),
		}},
		{"zset waiters", []bstep{
			bs("a", 's', "BZPOPMIN z 0"), bwait(1),
			bs("b", 's', "BZPOPMAX z 0"), bwait(2),
			bs("d", 's', "BZMPOP 0 2 y z MAX COUNT 2"), bwait(3),
			bs("c", 'd', "ZADD z 1 a 2 b 3 c 4 d 5 e"),
			bs("a", 'r', ""), bs("b", 'r', ""), bs("d", 'r', ""),
			bs("c", 'd', "ZRANGE z 0 -1 WITHSCORES"),
		}},
		{"type changes", []bstep{
			bs("a", 's', "BZPOPMIN k 0"), bwait(1),
			bs("b", 's', "BLPOP k 0"), bwait(2),
			bs("c", 'd', "SET k str"), bs("c", 'd', "DEL k"),
			bs("c", 'd', "RPUSH k a"), bs("b", 'r', ""), bwait(1),
			bs("c", 'd', "DEL k"), bs("c", 'd', "ZADD k 7 m"), bs("a", 'r', ""),
		}},
		{"brpoplpush wrong target", []bstep{
			bs("c", 'd', "SET target1 nolist"),
			bs("a", 's', "BRPOPLPUSH blist target1 0"), bwait(1),
			bs("b", 's', "BRPOPLPUSH blist target2 0"), bwait(2),
			bs("c", 'd', "LPUSH blist foo"),
			bs("a", 'r', ""), bs("b", 'r', ""),
			bs("c", 'd', "LRANGE target2 0 -1"), bs("c", 'd', "EXISTS blist"),
		}},
		{"chains", []bstep{
			bs("a", 's', "BLMOVE l1 l2 RIGHT LEFT 0"), bwait(1),
			bs("b", 's', "BLPOP l2 0"), bwait(2),
			bs("c", 'd', "RPUSH l1 foo"), bs("a", 'r', ""), bs("b", 'r', ""),
			bs("a", 's', "BRPOPLPUSH x y 0"), bwait(1),
			bs("b", 's', "BRPOPLPUSH y x 0"), bwait(2),
			bs("c", 'd', "RPUSH x bar"), bs("a", 'r', ""), bs("b", 'r', ""),
			bs("c", 'd', "LRANGE x 0 -1"), bs("c", 'd', "EXISTS y"),
		}},
		{"multi exec", []bstep{
			bs("a", 's', "BLPOP k 0"), bwait(1),
			bs("c", 'd', "MULTI"), bs("c", 'd', "RPUSH k a"), bs("c", 'd', "DEL k"), bs("c", 'd', "EXEC"),
			bs("c", 'd', "MULTI"), bs("c", 'd', "LPUSH k a"), bs("c", 'd', "LPUSH k b"), bs("c", 'd', "LPUSH k c"), bs("c", 'd', "EXEC"),
			bs("a", 'r', ""), bs("c", 'd', "LRANGE k 0 -1"),
		}},
		{"keyspace wake-ups", []bstep{
			bs("c", 'd', "RPUSH src x"),
			bs("a", 's', "BLPOP k 0"), bwait(1),
			bs("c", 'd', "SET k str"), bs("c", 'd', "RENAME src k"), bs("a", 'r', ""),
			bs("c", 'd', "SELECT 3"), bs("c", 'd', "RPUSH k y"), bs("c", 'd', "SELECT 0"),
			bs("a", 's', "BLPOP k 0"), bwait(1),
			bs("c", 'd', "SELECT 3"), bs("c", 'd', "MOVE k 0"), bs("c", 'd', "SELECT 0"), bs("a", 'r', ""),
			bs("c", 'd', "ZADD zsrc 1 m"),
			bs("a", 's', "BZPOPMIN z 0"), bwait(1),
			bs("c", 'd', "COPY zsrc z"), bs("a", 'r', ""),
			bs("c", 'd', "SELECT 2"), bs("c", 'd', "RPUSH k swapped"), bs("c", 'd', "SELECT 0"),
			bs("a", 's', "BLPOP k 0"), bwait(1),
			bs("c", 'd', "SWAPDB 0 2"), bs("a", 'r', ""),
		}},
		{"client unblock", []bstep{
			bs("a", 's', "BLPOP k 0"), bwait(1),
			{peer: "a", op: 'u'}, bs("a", 'r', ""), bwait(0),
			{peer: "a", op: 'u'},
			bs("a", 's', "BLMOVE k d LEFT LEFT 0"), bwait(1),
			{peer: "a", op: 'u', args: []string{"TIMEOUT"}}, bs("a", 'r', ""),
			bs("a", 's', "BZMPOP 0 1 k MIN"), bwait(1),
			{peer: "a", op: 'u', args: []string{"ERROR"}}, bs("a", 'r', ""), bwait(0),
			bs("c", 'd', "INFO errorstats"),
			bs("c", 'd', "RPUSH k v"), bs("a", 'd', "LPOP k"),
		}},
		{"timeouts and RESP3", []bstep{
			bs("a", 'x', "HELLO 3"),
			bs("a", 'd', "BLPOP k 0.01"), bs("a", 'd', "BLMOVE k d LEFT LEFT 0.01"),
			bs("a", 'd', "BZPOPMIN k 0.01"), bs("a", 'd', "BZMPOP 0.01 1 k MIN"),
			bs("a", 's', "BZPOPMIN z 0"), bwait(1),
			bs("c", 'd', "ZADD z 1.5 m"), bs("a", 'r', ""),
			bs("a", 's', "BZMPOP 0 1 z MAX COUNT 3"), bwait(1),
			bs("c", 'd', "ZADD z 1 m 2.25 n"), bs("a", 'r', ""),
			bs("a", 's', "BLMPOP 0 1 l RIGHT COUNT 3"), bwait(1),
			bs("c", 'd', "RPUSH l 1 2"), bs("a", 'r', ""),
		}},
		{"pipeline behind a blocked command", []bstep{
			bs("a", 's', "BLPOP k 0"), bs("a", 's', "PING"), bs("a", 's', "LLEN k"), bwait(1),
			bs("c", 'd', "RPUSH k 1 2 3"),
			bs("a", 'r', ""), bs("a", 'r', ""), bs("a", 'r', ""),
		}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			want := runBlockingScenario(t, raddr, sc.steps)
			got := runBlockingScenario(t, caddr, sc.steps)
			for i := range want {
				if want[i] != got[i] {
					st := sc.steps[i]
					t.Errorf("step %d (%s %c %q):\n redis:    %q\n cinnabar: %q", i, st.peer, st.op, st.args, want[i], got[i])
				}
			}
		})
	}
}
