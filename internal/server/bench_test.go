package server_test

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
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
	benchPipelineSetup(b, depth, "", cmd)
}

// benchPipelineSetup is benchPipeline after sending setup (one inline
// command, whose reply is read) first.
func benchPipelineSetup(b *testing.B, depth int, setup string, cmd func(int) []byte) {
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
	if setup != "" {
		if _, err := io.WriteString(c, setup+"\r\n"); err != nil {
			b.Fatal(err)
		}
		if line, err := r.ReadSlice('\n'); err != nil || line[0] == '-' {
			b.Fatalf("setup: %q %v", line, err)
		}
		if line, _ := r.Peek(1); len(line) > 0 { // a bulk reply's payload line
			_, _ = r.ReadSlice('\n')
		}
	}
	b.ReportAllocs()
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

// BenchmarkEvalsha1 and BenchmarkEvalsha10 run EVALSHA of a script making
// one and ten redis.call's (the bench/workloads.txt rows), 16 per batch.
func BenchmarkEvalsha1(b *testing.B) {
	benchScript(b, "return redis.call('SET',KEYS[1],ARGV[1])")
}

func BenchmarkEvalsha10(b *testing.B) {
	benchScript(b, "for i=1,10 do redis.call('SET',KEYS[1],ARGV[1]) end return 1")
}

func benchScript(b *testing.B, body string) {
	sum := sha1.Sum([]byte(body))
	sha := hex.EncodeToString(sum[:])
	benchPipelineSetup(b, 16, `SCRIPT LOAD "`+body+`"`, func(i int) []byte {
		key := "key:" + pad(i%1000)
		return []byte("*5\r\n$7\r\nEVALSHA\r\n$40\r\n" + sha + "\r\n$1\r\n1\r\n$" + strconv.Itoa(len(key)) + "\r\n" + key + "\r\n$1\r\nv\r\n")
	})
}
