package command_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/cinnabar-db/cinnabar/internal/command"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// BenchmarkBatch runs what a connection's batch runs, without the socket:
// parse 16 pipelined requests (redis-benchmark -P 16), execute each, and
// reply, as processBatch does. ns/op is per command. It is the user-space
// share of the -P 16 bench rows, free of the machine's syscall noise.
func BenchmarkBatch(b *testing.B) {
	for _, bc := range []struct {
		name string
		cmd  func(i int) string
	}{
		{"GET", func(i int) string { return "*2\r\n$3\r\nGET\r\n$16\r\nkey:" + pad12(i%1000) + "\r\n" }},
		{"SET", func(i int) string {
			return "*3\r\n$3\r\nSET\r\n$16\r\nkey:" + pad12(i%1000) + "\r\n$3\r\nxxx\r\n"
		}},
		{"INCR", func(i int) string { return "*2\r\n$4\r\nINCR\r\n$16\r\nkey:" + pad12(1000+i%1000) + "\r\n" }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e, err := command.New(command.Options{})
			if err != nil {
				b.Fatal(err)
			}
			cl := e.Clients.New(nil, "127.0.0.1:1", "127.0.0.1:2", 0, time.Now())
			w := resp.NewWriter()
			for i := 0; i < 1000; i++ {
				e.Exec(cl, [][]byte{[]byte("SET"), []byte("key:" + pad12(i)), []byte("xxx")}, w)
			}
			var batch []byte
			for i := 0; i < 16; i++ {
				batch = append(batch, bc.cmd(i)...)
			}
			rd := resp.NewReader()
			b.ReportAllocs()
			b.ResetTimer()
			for n := 0; n < b.N; n += 16 {
				rd.Feed(batch)
				w.Reset()
				e.RefreshClock()
				e.BeginBatch(cl)
				for {
					argv, err := rd.Next()
					if err != nil {
						break
					}
					e.Exec(cl, argv, w)
				}
			}
		})
	}
}

func pad12(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 12 {
		s = "0" + s
	}
	return s
}
