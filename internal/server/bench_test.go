package server_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/cinnabar-db/cinnabar/internal/servertest"
)

// BenchmarkPipelinedGet measures the whole request path (socket read,
// parse, dispatch, reply, write) with batches of 16 GETs, as
// redis-benchmark -P 16 sends them.
func BenchmarkPipelinedGet(b *testing.B) {
	benchPipeline(b, 16, func(i int) []byte {
		return []byte("*2\r\n$3\r\nGET\r\n$16\r\nkey:" + pad(i%1000) + "\r\n")
	})
}

// BenchmarkPipelinedSet is the same for SET with 3-byte values.
func BenchmarkPipelinedSet(b *testing.B) {
	benchPipeline(b, 16, func(i int) []byte {
		return []byte("*3\r\n$3\r\nSET\r\n$16\r\nkey:" + pad(i%1000) + "\r\n$3\r\nxxx\r\n")
	})
}

func pad(i int) string {
	s := strconv.Itoa(i)
	for len(s) < 12 {
		s = "0" + s
	}
	return s
}

func benchPipeline(b *testing.B, depth int, cmd func(int) []byte) {
	s := servertest.Start(b, nil)
	c, err := net.Dial("tcp", s.Addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	var batch bytes.Buffer
	for i := 0; i < depth; i++ {
		batch.Write(cmd(i))
	}
	r := bufio.NewReaderSize(c, 64<<10)
	b.ResetTimer()
	for n := 0; n < b.N; n += depth {
		if _, err := c.Write(batch.Bytes()); err != nil {
			b.Fatal(err)
		}
		for i := 0; i < depth; i++ {
			line, err := r.ReadSlice('\n')
			if err != nil {
				b.Fatal(err)
			}
			if line[0] == '$' && line[1] != '-' {
				l, _ := strconv.Atoi(string(line[1 : len(line)-2]))
				if _, err := io.CopyN(io.Discard, r, int64(l+2)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
