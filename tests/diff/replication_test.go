package diff

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// Replication interop: Cinnabar as a replica of the real redis-server,
// the real redis-server as a replica of Cinnabar, and Cinnabar chains.
// After each phase of writes on the master the replica must hold exactly
// the master's dataset (compared key by key, type and content and whether
// a TTL is set) once its offset has caught up.

func replClient(t *testing.T, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { c.Close() })
	return c
}

func infoField(t *testing.T, c *redis.Client, section, field string) string {
	t.Helper()
	s, err := c.Info(context.Background(), section).Result()
	if err != nil {
		t.Fatalf("INFO %s: %v", section, err)
	}
	for _, line := range strings.Split(s, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCaughtUp waits until replica has applied everything master wrote.
func waitCaughtUp(t *testing.T, master, replica *redis.Client) {
	t.Helper()
	waitUntil(t, "the replica to catch up", func() bool {
		m := infoField(t, master, "replication", "master_repl_offset")
		r := infoField(t, replica, "replication", "slave_repl_offset")
		return m != "" && m == r && infoField(t, replica, "replication", "master_link_status") == "up"
	})
}

// dataset describes every key of databases 0-3 canonically.
func dataset(t *testing.T, c *redis.Client) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for db := 0; db < 4; db++ {
		conn := c.Conn()
		if err := conn.Select(ctx, db).Err(); err != nil {
			t.Fatal(err)
		}
		keys, err := conn.Keys(ctx, "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			typ, v := DescribeValue(ctx, conn, k)
			ttl := conn.PTTL(ctx, k).Val() > 0
			out[fmt.Sprintf("%d/%s", db, k)] = fmt.Sprintf("%s %v %s", typ, ttl, v)
		}
		conn.Close()
	}
	return out
}

func sameDataset(t *testing.T, phase string, master, replica *redis.Client) {
	t.Helper()
	want, got := dataset(t, master), dataset(t, replica)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: key %s: replica has %.120q, master %.120q", phase, k, got[k], v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: key %s only on the replica", phase, k)
		}
	}
	if len(want) == 0 {
		t.Fatalf("%s: empty dataset", phase)
	}
}

// populate writes every type and encoding, expires and several databases.
func populate(t *testing.T, c *redis.Client, prefix string) {
	t.Helper()
	ctx := context.Background()
	p := c.Pipeline()
	p.Set(ctx, prefix+"str", "hello", 0)
	p.Set(ctx, prefix+"int", 12345, 0)
	p.Set(ctx, prefix+"big", strings.Repeat("abc", 2000), 0)
	p.Set(ctx, prefix+"ttl", "v", time.Hour)
	p.RPush(ctx, prefix+"list", "a", "b", "c")
	for i := 0; i < 300; i++ {
		p.RPush(ctx, prefix+"biglist", strings.Repeat("x", i%50)+strconv.Itoa(i))
		p.SAdd(ctx, prefix+"bigset", "m"+strconv.Itoa(i))
		p.HSet(ctx, prefix+"bighash", "f"+strconv.Itoa(i), i)
		p.ZAdd(ctx, prefix+"bigzset", redis.Z{Score: float64(i) / 3, Member: "z" + strconv.Itoa(i)})
	}
	p.SAdd(ctx, prefix+"intset", 1, 2, 3, -7)
	p.HSet(ctx, prefix+"hash", "a", "1", "b", "2")
	p.ZAdd(ctx, prefix+"zset", redis.Z{Score: 1.5, Member: "x"}, redis.Z{Score: -2, Member: "y"})
	p.Expire(ctx, prefix+"list", time.Hour)
	if _, err := p.Exec(ctx); err != nil {
		t.Fatalf("populate: %v", err)
	}
	conn := c.Conn()
	defer conn.Close()
	conn.Select(ctx, 2)
	conn.Set(ctx, prefix+"db2", "two", 0)
	conn.HSet(ctx, prefix+"db2hash", "k", "v")
}

// mutate runs writes whose propagation is rewritten or wrapped: relative
// TTLs, float increments, SPOP, transactions, scripts, blocking pops,
// lazy expiry, SWAPDB, FLUSHDB.
func mutate(t *testing.T, master *redis.Client, addr string, prefix string) {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil && err != redis.Nil {
			t.Fatal(err)
		}
	}
	must(master.Set(ctx, prefix+"ex", "v", 100*time.Second).Err())
	must(master.Expire(ctx, prefix+"str", 50*time.Second).Err())
	must(master.IncrByFloat(ctx, prefix+"float", 1.1).Err())
	must(master.IncrByFloat(ctx, prefix+"float", 2.2).Err())
	must(master.HIncrByFloat(ctx, prefix+"hash", "c", 0.5).Err())
	must(master.SPopN(ctx, prefix+"bigset", 10).Err())
	must(master.SPop(ctx, prefix+"intset").Err())
	must(master.GetDel(ctx, prefix+"int").Err())
	must(master.GetEx(ctx, prefix+"ttl", 30*time.Second).Err())
	_, err := master.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, prefix+"list", "m1")
		p.ZIncrBy(ctx, prefix+"zset", 3, "x")
		p.Del(ctx, prefix+"big")
		return nil
	})
	must(err)
	must(master.Eval(ctx, "redis.call('set', KEYS[1], ARGV[1]); redis.call('rpush', KEYS[2], ARGV[1]); return 1",
		[]string{prefix + "lua{t}", prefix + "lualist{t}"}, "scripted").Err())
	must(master.LMPop(ctx, "left", 2, prefix+"biglist").Err())
	must(master.ZPopMin(ctx, prefix+"bigzset", 3).Err())

	// A blocked client served by a push propagates its pop.
	blocked := replClient(t, addr)
	done := make(chan error, 1)
	go func() {
		_, err := blocked.BLPop(ctx, 5*time.Second, prefix+"queue").Result()
		done <- err
	}()
	waitUntil(t, "the client to block", func() bool {
		return infoField(t, master, "clients", "blocked_clients") == "1"
	})
	must(master.RPush(ctx, prefix+"queue", "job1", "job2").Err())
	must(<-done)

	// A key expiring on the master is deleted on the replica.
	must(master.Set(ctx, prefix+"short", "v", 50*time.Millisecond).Err())
	time.Sleep(120 * time.Millisecond)
	must(master.Get(ctx, prefix+"short").Err())

	conn := master.Conn()
	defer conn.Close()
	must(conn.Select(ctx, 3).Err())
	must(conn.Set(ctx, prefix+"db3", "three", 0).Err())
	must(conn.SwapDB(ctx, 2, 3).Err())
	must(conn.Select(ctx, 1).Err())
	must(conn.Set(ctx, prefix+"gone", "x", 0).Err())
	must(conn.FlushDB(ctx).Err())
}

func startCinnabar(t *testing.T) (*servertest.Server, *redis.Client) {
	t.Helper()
	s := servertest.Start(t, nil)
	return s, replClient(t, s.Addr)
}

func replicaOf(t *testing.T, c *redis.Client, masterAddr string) {
	t.Helper()
	host, port, _ := net.SplitHostPort(masterAddr)
	if err := c.Do(context.Background(), "REPLICAOF", host, port).Err(); err != nil {
		t.Fatalf("REPLICAOF: %v", err)
	}
}

func TestReplicationCinnabarReplicaOfRedis(t *testing.T) {
	raddr := StartRedis(t)
	master := replClient(t, raddr)
	_, replica := startCinnabar(t)
	populate(t, master, "p:")
	replicaOf(t, replica, raddr)
	waitCaughtUp(t, master, replica)
	sameDataset(t, "after the full sync", master, replica)

	mutate(t, master, raddr, "p:")
	waitCaughtUp(t, master, replica)
	sameDataset(t, "after the stream", master, replica)

	ctx := context.Background()
	if err := replica.Set(ctx, "w", "1", 0).Err(); err == nil || !strings.HasPrefix(err.Error(), "READONLY") {
		t.Errorf("write on a read-only replica: %v", err)
	}
	role := replica.Do(ctx, "ROLE").Val().([]any)
	if role[0] != "slave" || role[3] != "connected" {
		t.Errorf("ROLE on the replica: %v", role)
	}
	// REPLICAOF NO ONE: a master again, writable, with the old history as replid2.
	old := infoField(t, replica, "replication", "master_replid")
	if err := replica.Do(ctx, "REPLICAOF", "NO", "ONE").Err(); err != nil {
		t.Fatal(err)
	}
	if err := replica.Set(ctx, "w", "1", 0).Err(); err != nil {
		t.Errorf("write after REPLICAOF NO ONE: %v", err)
	}
	if id2 := infoField(t, replica, "replication", "master_replid2"); id2 != old {
		t.Errorf("master_replid2 %q, want the old replid %q", id2, old)
	}
}

func TestReplicationRedisReplicaOfCinnabar(t *testing.T) {
	_, master := startCinnabar(t)
	s := master.Options().Addr
	populate(t, master, "q:")
	// The function library travels in the snapshot.
	ctx := context.Background()
	if err := master.FunctionLoad(ctx, "#!lua name=replib\nredis.register_function{function_name='f1', callback=function() return 7 end, flags={'no-writes'}}").Err(); err != nil {
		t.Fatal(err)
	}
	raddr := StartRedis(t)
	replica := replClient(t, raddr)
	replicaOf(t, replica, s)
	waitCaughtUp(t, master, replica)
	sameDataset(t, "after the full sync", master, replica)
	if v, err := replica.FCallRO(ctx, "f1", nil).Result(); err != nil || v != int64(7) {
		t.Errorf("FCALL_RO f1 on the redis replica: %v %v", v, err)
	}

	mutate(t, master, s, "q:")
	waitCaughtUp(t, master, replica)
	sameDataset(t, "after the stream", master, replica)

	// WAIT counts the redis replica's acknowledgement.
	master.Set(ctx, "acked", "1", 0)
	if n, err := master.Wait(ctx, 1, 2*time.Second).Result(); err != nil || n != 1 {
		t.Errorf("WAIT 1 2000: %v %v", n, err)
	}
	if n := infoField(t, master, "replication", "connected_slaves"); n != "1" {
		t.Errorf("connected_slaves %s", n)
	}
}

func TestReplicationChainAndPartialResync(t *testing.T) {
	_, m := startCinnabar(t)
	_, r1 := startCinnabar(t)
	_, r2 := startCinnabar(t)
	populate(t, m, "c:")
	replicaOf(t, r1, m.Options().Addr)
	waitCaughtUp(t, m, r1)
	replicaOf(t, r2, r1.Options().Addr) // chained: r2 follows r1's proxied stream
	waitCaughtUp(t, r1, r2)
	mutate(t, m, m.Options().Addr, "c:")
	waitCaughtUp(t, m, r1)
	waitCaughtUp(t, r1, r2)
	sameDataset(t, "replica", m, r1)
	sameDataset(t, "chained replica", m, r2)

	// Dropping the link: the replica reconnects and continues from the
	// backlog instead of a new full sync.
	ctx := context.Background()
	full := infoField(t, m, "stats", "sync_full")
	if err := r1.Do(ctx, "CLIENT", "KILL", "TYPE", "master").Err(); err != nil {
		t.Fatal(err)
	}
	m.Set(ctx, "after-kill", "1", 0)
	waitUntil(t, "a partial resync", func() bool { return infoField(t, m, "stats", "sync_partial_ok") == "1" })
	waitCaughtUp(t, m, r1)
	if got := infoField(t, m, "stats", "sync_full"); got != full {
		t.Errorf("sync_full went from %s to %s: the reconnection was not partial", full, got)
	}
	if r1.Get(ctx, "after-kill").Val() != "1" {
		t.Errorf("write after the reconnection missing on the replica")
	}
}

func TestPersistenceSaveLoadWithRedis(t *testing.T) {
	// Cinnabar's SAVE is loaded by redis-server, and a DEBUG RELOAD keeps
	// the dataset.
	dir := t.TempDir()
	s := servertest.Start(t, []string{"--dir", dir})
	c := replClient(t, s.Addr)
	ctx := context.Background()
	populate(t, c, "s:")
	before := dataset(t, c)
	if err := c.Do(ctx, "DEBUG", "RELOAD").Err(); err != nil {
		t.Fatalf("DEBUG RELOAD: %v", err)
	}
	if after := dataset(t, c); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("DEBUG RELOAD changed the dataset")
	}
	if err := c.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatal(err)
	}
	raddr := StartRedis(t, "--dir", dir, "--dbfilename", "dump.rdb")
	r := replClient(t, raddr)
	if got := dataset(t, r); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("redis-server loaded a different dataset from Cinnabar's dump.rdb")
	}
}

// TestReplicationDatabaseAcrossResync: the master's stream selects a
// database once; a replica keeps applying there after a partial resync
// (no new SELECT comes), and a replica that fully syncs from another
// replica starts in it too (repl-stream-db). Acknowledgements keep flowing
// after a partial resync beyond repl-timeout, so WAIT still counts.
func TestReplicationDatabaseAcrossResync(t *testing.T) {
	ctx := context.Background()
	_, m := startCinnabar(t)
	s1 := servertest.Start(t, []string{"--repl-timeout", "2"})
	r1 := replClient(t, s1.Addr)
	replicaOf(t, r1, m.Options().Addr)
	waitCaughtUp(t, m, r1)

	db3 := m.Conn()
	defer db3.Close()
	db3.Select(ctx, 3)
	db3.Set(ctx, "a", "1", 0)
	waitCaughtUp(t, m, r1)

	if err := r1.Do(ctx, "CLIENT", "KILL", "TYPE", "master").Err(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a partial resync", func() bool { return infoField(t, m, "stats", "sync_partial_ok") == "1" })
	db3.Set(ctx, "b", "2", 0)
	waitCaughtUp(t, m, r1)

	_, r2 := startCinnabar(t)
	replicaOf(t, r2, r1.Options().Addr) // full sync from a replica, mid-stream in db 3
	waitCaughtUp(t, r1, r2)
	db3.Set(ctx, "c", "3", 0)
	waitCaughtUp(t, m, r1)
	waitCaughtUp(t, r1, r2)
	for _, r := range []*redis.Client{r1, r2} {
		conn := r.Conn()
		conn.Select(ctx, 3)
		got := conn.MGet(ctx, "a", "b", "c").Val()
		conn.Select(ctx, 0)
		stray := conn.Exists(ctx, "a", "b", "c").Val()
		conn.Close()
		if fmt.Sprint(got) != "[1 2 3]" || stray != 0 {
			t.Errorf("replica %s: db 3 holds %v, db 0 holds %d of the keys", r.Options().Addr, got, stray)
		}
	}

	time.Sleep(3 * time.Second) // past r1's repl-timeout since its partial resync
	db3.Set(ctx, "d", "4", 0)
	if n, err := db3.Wait(ctx, 1, 3*time.Second).Result(); err != nil || n != 1 {
		t.Errorf("WAIT 1 after a partial resync: %v %v (the replica stopped acknowledging)", n, err)
	}
}

// TestWaitEndsOnShutdown: a client blocked in WAIT forever does not keep
// the server from closing.
func TestWaitEndsOnShutdown(t *testing.T) {
	s := servertest.Start(t, nil)
	c := replClient(t, s.Addr)
	done := make(chan error, 1)
	go func() { done <- c.Do(context.Background(), "WAIT", "1", "0").Err() }()
	time.Sleep(100 * time.Millisecond)
	closed := make(chan struct{})
	go func() { s.Server.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Server.Close did not return while a client waited in WAIT 1 0")
	}
	<-done
}

// TestWaitClientGoes: a client blocked in WAIT forever is released when
// it disconnects or is killed (it stayed in CLIENT LIST, its goroutine
// waiting, until the server stopped), and a client that pipelines a
// command behind a WAIT gets both replies in order once the WAIT ends.
func TestWaitClientGoes(t *testing.T) {
	s := servertest.Start(t, nil)
	ctx := context.Background()
	admin := replClient(t, s.Addr)
	clients := func() int {
		return strings.Count(admin.ClientList(ctx).Val(), "\n")
	}
	waitClients := func(want int, what string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for clients() != want {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %d clients listed, want %d:\n%s", what, clients(), want, admin.ClientList(ctx).Val())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waiter := func() (net.Conn, int64) {
		t.Helper()
		nc, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		nc.Write([]byte("CLIENT ID\r\n"))
		buf := make([]byte, 64)
		n, _ := nc.Read(buf)
		id, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(string(buf[:n]), ":")), 10, 64)
		if err != nil {
			t.Fatalf("CLIENT ID: %q", buf[:n])
		}
		nc.Write([]byte("WAIT 1 0\r\n"))
		return nc, id
	}

	nc, _ := waiter()
	waitClients(2, "a client in WAIT 1 0")
	nc.Close()
	waitClients(1, "after the WAIT client disconnected")

	nc, id := waiter()
	waitClients(2, "a client in WAIT 1 0")
	if n, err := admin.ClientKillByFilter(ctx, "ID", strconv.FormatInt(id, 10)).Result(); err != nil || n != 1 {
		t.Fatalf("CLIENT KILL ID %d: %v %v", id, n, err)
	}
	waitClients(1, "after CLIENT KILL of the WAIT client")
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if b, err := io.ReadAll(nc); err != nil || len(b) != 0 {
		t.Errorf("killed WAIT client read %q, %v; want EOF and no reply", b, err)
	}

	// A command sent while the WAIT waits runs after it.
	nc2, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc2.Close()
	nc2.Write([]byte("WAIT 1 300\r\n"))
	time.Sleep(50 * time.Millisecond)
	nc2.Write([]byte("ECHO after\r\n"))
	nc2.SetReadDeadline(time.Now().Add(5 * time.Second))
	want := ":0\r\n$5\r\nafter\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(nc2, got); err != nil || string(got) != want {
		t.Errorf("WAIT then ECHO sent during it: %q, %v; want %q", got, err, want)
	}
}

// TestWaitUnblock, against redis-server: a client in WAIT is blocked as
// Redis's BLOCKED_WAIT (flag b, blocked_clients), CLIENT UNBLOCK ends it
// with the count so far or, with ERROR, the UNBLOCKED error, and a client
// no longer waiting is not unblocked.
func TestWaitUnblock(t *testing.T) {
	h := Start(t)
	for _, srv := range []struct {
		name string
		addr string
	}{{"redis", h.Redis.Addr}, {"cinnabar", h.Cinnabar.Addr}} {
		admin, w := Dial(t, srv.addr), Dial(t, srv.addr)
		id := strings.TrimSpace(strings.TrimPrefix(string(w.Send(t, Encode(nil, "CLIENT", "ID"), 1)[0]), ":"))
		blockedInfo := func() string {
			info := string(admin.Send(t, Encode(nil, "INFO", "clients"), 1)[0])
			i := strings.Index(info, "blocked_clients:")
			return strings.TrimSpace(info[i : i+strings.IndexByte(info[i:], '\r')])
		}
		flags := func() string {
			list := string(admin.Send(t, Encode(nil, "CLIENT", "LIST", "ID", id), 1)[0])
			i := strings.Index(list, " flags=")
			return list[i+1 : i+strings.IndexByte(list[i+1:], ' ')+1]
		}
		for _, step := range []struct {
			unblock []string
			reply   string
		}{
			{[]string{"CLIENT", "UNBLOCK", id}, ":0\r\n"},
			{[]string{"CLIENT", "UNBLOCK", id, "ERROR"}, "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"},
		} {
			w.Conn.Write(Encode(nil, "WAIT", "1", "0"))
			deadline := time.Now().Add(5 * time.Second)
			for flags() != "flags=b" && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if f, b := flags(), blockedInfo(); f != "flags=b" || b != "blocked_clients:1" {
				t.Errorf("%s: client in WAIT 1 0: %s, %s; want flags=b, blocked_clients:1", srv.name, f, b)
			}
			if r := string(admin.Send(t, Encode(nil, step.unblock...), 1)[0]); r != ":1\r\n" {
				t.Errorf("%s: %q = %q, want :1", srv.name, step.unblock, r)
			}
			w.Conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			if r, err := ReadReply(w.R); err != nil || string(r) != step.reply {
				t.Errorf("%s: WAIT after %q: %q, %v; want %q", srv.name, step.unblock, r, err, step.reply)
			}
			if f, b := flags(), blockedInfo(); f != "flags=N" || b != "blocked_clients:0" {
				t.Errorf("%s: after %q: %s, %s; want flags=N, blocked_clients:0", srv.name, step.unblock, f, b)
			}
		}
		if r := string(admin.Send(t, Encode(nil, "CLIENT", "UNBLOCK", id), 1)[0]); r != ":0\r\n" {
			t.Errorf("%s: CLIENT UNBLOCK of a client not waiting = %q, want :0", srv.name, r)
		}
	}
}

// TestReplicaSurvivesHostileMaster: a master announcing an absurd snapshot
// length (or closing mid-snapshot) leaves the replica running, with its
// link down, instead of allocating what the peer claims.
func TestReplicaSurvivesHostileMaster(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				buf := make([]byte, 4096)
				for i := 0; i < 4; i++ { // PING, REPLCONF x2, PSYNC
					if _, err := c.Read(buf); err != nil {
						return
					}
					if i < 3 {
						c.Write([]byte("+OK\r\n"))
					}
				}
				c.Write([]byte("+FULLRESYNC 0123456789012345678901234567890123456789 0\r\n$999999999999999999\r\nREDIS0010"))
			}(c)
		}
	}()
	_, r := startCinnabar(t)
	replicaOf(t, r, ln.Addr().String())
	time.Sleep(1500 * time.Millisecond) // a session or two against the hostile master
	if err := r.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("replica gone after a hostile master: %v", err)
	}
	if st := infoField(t, r, "replication", "master_link_status"); st != "down" {
		t.Errorf("master_link_status %q", st)
	}
}

// TestReplicaLeavesExpiryToMaster: as Redis's replicas, a Cinnabar replica
// never expires keys itself. A key whose time has passed on the replica's
// clock (but not yet on its master's) reads as missing to the replica's
// clients, yet stays in the dataset: no active expire cycle, no deletion
// on lookup, and the master's writes to it still apply. It goes when the
// master expires it and sends the DEL, and the replica's offset stays the
// master's throughout (a DEL of its own would have moved it, breaking
// partial resyncs of replicas chained behind it).
func TestReplicaLeavesExpiryToMaster(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now()
	mclock, rclock := servertest.NewClock(t0), servertest.NewClock(t0)
	ms := servertest.Start(t, nil, servertest.WithClock(mclock))
	rs := servertest.Start(t, nil, servertest.WithClock(rclock))
	_, chained := startCinnabar(t)
	m, r := replClient(t, ms.Addr), replClient(t, rs.Addr)
	replicaOf(t, r, ms.Addr)
	replicaOf(t, chained, rs.Addr)
	m.Set(ctx, "k", "v", time.Second)
	m.Set(ctx, "plain", "1", 0)
	waitCaughtUp(t, m, r)
	waitCaughtUp(t, r, chained)

	rclock.Advance(2 * time.Second) // expired for the replica only
	if v, err := r.Get(ctx, "k").Result(); err != redis.Nil {
		t.Errorf("replica GET of a key past its time = %q %v, want nil", v, err)
	}
	if n := r.Exists(ctx, "k").Val(); n != 0 {
		t.Errorf("replica EXISTS = %d", n)
	}
	if d := r.TTL(ctx, "k").Val(); d != -2*time.Nanosecond {
		t.Errorf("replica TTL = %v, want -2", d)
	}
	if keys := r.Keys(ctx, "*").Val(); len(keys) != 1 || keys[0] != "plain" {
		t.Errorf("replica KEYS * = %q", keys)
	}
	time.Sleep(300 * time.Millisecond) // three cron ticks at hz 10: no active expiry either
	if n := r.DBSize(ctx).Val(); n != 2 {
		t.Errorf("replica DBSIZE = %d, want 2: it deleted the key itself", n)
	}
	if n := infoField(t, r, "stats", "expired_keys"); n != "0" {
		t.Errorf("replica expired_keys = %s", n)
	}

	// The master still has the key: its writes to it apply on the replica.
	m.Append(ctx, "k", "w")
	waitCaughtUp(t, m, r)
	if n := r.DBSize(ctx).Val(); n != 2 {
		t.Errorf("replica DBSIZE after the master's APPEND = %d, want 2", n)
	}

	// The master expires it: its DEL empties the replica and the chain.
	mclock.Advance(2 * time.Second)
	if v, err := m.Get(ctx, "k").Result(); err != redis.Nil {
		t.Fatalf("master GET = %q %v", v, err)
	}
	waitCaughtUp(t, m, r)
	waitCaughtUp(t, r, chained)
	for name, c := range map[string]*redis.Client{"replica": r, "chained replica": chained} {
		if n := c.DBSize(ctx).Val(); n != 1 {
			t.Errorf("%s DBSIZE after the master's DEL = %d, want 1", name, n)
		}
	}
	if mo, ro := infoField(t, m, "replication", "master_repl_offset"), infoField(t, r, "replication", "master_repl_offset"); mo != ro {
		t.Errorf("offsets: master %s, replica %s", mo, ro)
	}

	// Promoted, the replica expires keys again.
	if err := r.Set(ctx, "pk", "1", 0).Err(); err == nil || !strings.HasPrefix(err.Error(), "READONLY") {
		t.Errorf("SET on the replica: %v, want READONLY", err)
	}
	if err := r.Do(ctx, "REPLICAOF", "NO", "ONE").Err(); err != nil {
		t.Fatal(err)
	}
	r.Set(ctx, "soon", "1", time.Second)
	rclock.Advance(2 * time.Second)
	if n := r.Exists(ctx, "soon").Val(); n != 0 {
		t.Errorf("promoted replica: EXISTS of an expired key = %d", n)
	}
	waitUntil(t, "the promoted replica to count the expiry", func() bool { return infoField(t, r, "stats", "expired_keys") == "1" })
}
