package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// value is one parsed RESP2/RESP3 reply. Aggregates keep their elements in
// wire order; a map holds key, value, key, value...
type value struct {
	kind  byte // the RESP type byte: '+', '-', ':', '$', '*', '%', '~', '_', ...
	str   string
	num   int64
	elems []value
}

func (v value) String() string {
	switch v.kind {
	case '+', '-', '$', ',', '(', '=':
		return string(v.kind) + strconv.Quote(v.str)
	case ':':
		return ":" + strconv.FormatInt(v.num, 10)
	case '_':
		return "_"
	}
	return fmt.Sprintf("%c%d", v.kind, len(v.elems))
}

var errShort = errors.New("short reply")

// parse decodes one reply from b, returning it and the number of bytes it
// used, or errShort when b holds only part of a reply.
func parse(b []byte) (value, int, error) {
	if len(b) == 0 {
		return value{}, 0, errShort
	}
	nl := bytes.Index(b, []byte("\r\n"))
	if nl < 0 {
		return value{}, 0, errShort
	}
	kind, line, n := b[0], string(b[1:nl]), nl+2
	switch kind {
	case '+', '-', ',', '(':
		return value{kind: kind, str: line}, n, nil
	case '#':
		return value{kind: kind, str: line}, n, nil
	case '_':
		return value{kind: kind}, n, nil
	case ':':
		x, err := strconv.ParseInt(line, 10, 64)
		if err != nil {
			return value{}, 0, fmt.Errorf("cannot parse integer reply %q: %w", line, err)
		}
		return value{kind: kind, num: x}, n, nil
	case '$', '=', '!':
		size, err := strconv.Atoi(line)
		if err != nil {
			return value{}, 0, fmt.Errorf("cannot parse bulk length %q: %w", line, err)
		}
		if size < 0 {
			return value{kind: '_'}, n, nil // RESP2 null bulk
		}
		if len(b) < n+size+2 {
			return value{}, 0, errShort
		}
		return value{kind: kind, str: string(b[n : n+size])}, n + size + 2, nil
	case '*', '%', '~', '>', '|':
		count, err := strconv.Atoi(line)
		if err != nil {
			return value{}, 0, fmt.Errorf("cannot parse aggregate length %q: %w", line, err)
		}
		if count < 0 {
			return value{kind: '_'}, n, nil // RESP2 null array
		}
		if kind == '%' || kind == '|' {
			count *= 2
		}
		v := value{kind: kind, elems: make([]value, 0, count)}
		for i := 0; i < count; i++ {
			e, used, err := parse(b[n:])
			if err != nil {
				return value{}, 0, err
			}
			v.elems = append(v.elems, e)
			n += used
		}
		if kind == '|' { // attribute: skip it, the real reply follows
			next, used, err := parse(b[n:])
			if err != nil {
				return value{}, 0, err
			}
			return next, n + used, nil
		}
		return v, n, nil
	}
	return value{}, 0, fmt.Errorf("cannot parse reply: unknown type byte %q", kind)
}

// client is a minimal synchronous RESP client: one request, one reply.
type client struct {
	conn net.Conn
	buf  []byte
}

func dial(addr string) (*client, error) {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &client{conn: conn}, nil
}

func (c *client) Close() error { return c.conn.Close() }

// do sends args as a RESP array of bulk strings and returns the parsed reply
// together with its exact bytes.
func (c *client) do(args ...string) (value, []byte, error) {
	var req []byte
	req = append(req, '*')
	req = strconv.AppendInt(req, int64(len(args)), 10)
	req = append(req, "\r\n"...)
	for _, a := range args {
		req = append(req, '$')
		req = strconv.AppendInt(req, int64(len(a)), 10)
		req = append(req, "\r\n"...)
		req = append(req, a...)
		req = append(req, "\r\n"...)
	}
	if err := c.conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return value{}, nil, err
	}
	if _, err := c.conn.Write(req); err != nil {
		return value{}, nil, fmt.Errorf("cannot send %q: %w", args[0], err)
	}
	chunk := make([]byte, 64<<10)
	for {
		v, n, err := parse(c.buf)
		if err == nil {
			raw := append([]byte(nil), c.buf[:n]...)
			c.buf = c.buf[n:]
			return v, raw, nil
		}
		if !errors.Is(err, errShort) {
			return value{}, nil, err
		}
		m, err := c.conn.Read(chunk)
		if err != nil {
			return value{}, nil, fmt.Errorf("cannot read reply to %q: %w", args[0], err)
		}
		c.buf = append(c.buf, chunk[:m]...)
	}
}
