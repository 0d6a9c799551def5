// Command pubsubbench measures what redis-benchmark cannot: pub/sub
// messages delivered per second (one publisher, N subscribers, channel or
// pattern subscriptions) and MULTI/EXEC transactions of 10 commands per
// second. It prints one line: "<mode> <subs> <ops> <seconds> <ops/s>".
//
//	pubsubbench -addr 127.0.0.1:6379 -mode publish -subs 10 -n 200000
//	pubsubbench -addr 127.0.0.1:6379 -mode psubscribe -subs 10 -n 200000
//	pubsubbench -addr 127.0.0.1:6379 -mode multi -clients 50 -n 20000
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	mode := flag.String("mode", "publish", "publish | psubscribe | multi")
	subs := flag.Int("subs", 1, "subscribers (publish, psubscribe)")
	clients := flag.Int("clients", 50, "clients (multi)")
	n := flag.Int("n", 100000, "messages published, or transactions run")
	pipeline := flag.Int("P", 64, "publisher pipeline depth")
	flag.Parse()
	var ops int
	var d time.Duration
	var err error
	switch *mode {
	case "publish", "psubscribe":
		ops, d, err = pubsub(*addr, *mode == "psubscribe", *subs, *n, *pipeline)
	case "multi":
		ops, d, err = multi(*addr, *clients, *n)
	default:
		err = fmt.Errorf("unknown mode %q", *mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pubsubbench:", err)
		os.Exit(1)
	}
	conc := *subs
	if *mode == "multi" {
		conc = *clients
	}
	fmt.Printf("%s %d %d %.3f %.0f\n", *mode, conc, ops, d.Seconds(), float64(ops)/d.Seconds())
}

func cmd(args ...string) []byte {
	b := []byte("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b = append(b, "$"+strconv.Itoa(len(a))+"\r\n"+a+"\r\n"...)
	}
	return b
}

// skipReply reads one RESP2 reply.
func skipReply(r *bufio.Reader) error {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return err
	}
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
		if n >= 0 {
			_, err = r.Discard(n + 2)
		}
		return err
	case '*':
		n, _ := strconv.Atoi(string(line[1 : len(line)-2]))
		for i := 0; i < n; i++ {
			if err := skipReply(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func pubsub(addr string, pattern bool, subs, n, depth int) (int, time.Duration, error) {
	var wg, ready sync.WaitGroup
	errs := make(chan error, subs+1)
	for i := 0; i < subs; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, 0, err
		}
		defer c.Close()
		sub := cmd("SUBSCRIBE", "bench")
		if pattern {
			sub = cmd("PSUBSCRIBE", "ben*")
		}
		if _, err := c.Write(sub); err != nil {
			return 0, 0, err
		}
		r := bufio.NewReaderSize(c, 64<<10)
		if err := skipReply(r); err != nil { // the confirmation
			return 0, 0, err
		}
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			for j := 0; j < n; j++ {
				if err := skipReply(r); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	ready.Wait()
	pub, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, 0, err
	}
	defer pub.Close()
	pr := bufio.NewReaderSize(pub, 64<<10)
	msg := cmd("PUBLISH", "bench", "hello world 0123456789")
	batch := make([]byte, 0, len(msg)*depth)
	start := time.Now()
	for sent := 0; sent < n; {
		k := min(depth, n-sent)
		batch = batch[:0]
		for j := 0; j < k; j++ {
			batch = append(batch, msg...)
		}
		if _, err := pub.Write(batch); err != nil {
			return 0, 0, err
		}
		for j := 0; j < k; j++ {
			if err := skipReply(pr); err != nil {
				return 0, 0, err
			}
		}
		sent += k
	}
	wg.Wait()
	d := time.Since(start)
	select {
	case err := <-errs:
		return 0, 0, err
	default:
	}
	return n * subs, d, nil
}

func multi(addr string, clients, n int) (int, time.Duration, error) {
	tx := cmd("MULTI")
	for i := 0; i < 10; i++ {
		tx = append(tx, cmd("SET", "key:"+strconv.Itoa(i), "value")...)
	}
	tx = append(tx, cmd("EXEC")...)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	per := n / clients
	start := time.Now()
	for i := 0; i < clients; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, 0, err
		}
		defer c.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := bufio.NewReaderSize(c, 16<<10)
			for j := 0; j < per; j++ {
				if _, err := c.Write(tx); err != nil {
					errs <- err
					return
				}
				for k := 0; k < 12; k++ { // OK, 10 x QUEUED, EXEC's array
					if err := skipReply(r); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	d := time.Since(start)
	select {
	case err := <-errs:
		return 0, 0, err
	default:
	}
	return per * clients, d, nil
}
