package command

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/keyspace"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// TestScanAllLocked: SCAN run by EXEC (Ctx.AllLocked: every shard already
// held) must not lock shards again.
func TestScanAllLocked(t *testing.T) {
	e, err := New(Options{Shards: 4})
	if err != nil {
		t.Fatal(err)
	}
	cl := e.Clients.New(nil, "127.0.0.1:1", "127.0.0.1:2", 0, time.Now())
	e.KS.LockAll()
	for i := 0; i < 50; i++ {
		e.KS.DB(0).SetString([]byte("k"+strconv.Itoa(i)), []byte("v"), keyspace.NoExpire, false)
	}
	w := resp.NewWriter()
	argv := [][]byte{[]byte("scan"), []byte("0"), []byte("COUNT"), []byte("1000")}
	c := &Ctx{E: e, C: cl, Argv: argv, W: w, DB: e.KS.DB(0), Spec: e.SpecOf(e.Meta.Lookup([]byte("scan"))), AllLocked: true}
	done := make(chan struct{})
	go func() { scanCommand(c); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("SCAN with every shard held did not return (self-deadlock)")
	}
	e.KS.ReleaseAll()
	if !bytes.HasPrefix(w.Buf, []byte("*2\r\n$1\r\n0\r\n*50\r\n")) {
		t.Fatalf("reply %q", w.Buf)
	}
}
