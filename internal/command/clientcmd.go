package command

import (
	"math"
	"strings"
	"time"
)

// CLIENT subcommands (networking.c clientCommand).
func clientCommands() []*Spec {
	return []*Spec{
		{Name: "client", Handler: containerCommand},
		{Name: "client|id", Handler: clientIDCommand},
		{Name: "client|info", Handler: clientInfoCommand},
		{Name: "client|list", Handler: clientListCommand},
		{Name: "client|kill", Handler: clientKillCommand},
		{Name: "client|setname", Handler: clientSetNameCommand},
		{Name: "client|getname", Handler: clientGetNameCommand},
		{Name: "client|pause", Handler: clientPauseCommand},
		{Name: "client|unpause", Handler: clientUnpauseCommand},
		{Name: "client|reply", Handler: clientReplyCommand},
		{Name: "client|no-evict", Handler: clientNoEvictCommand},
		{Name: "client|tracking", Handler: clientTrackingCommand},
		{Name: "client|caching", Handler: clientCachingCommand},
		{Name: "client|getredir", Handler: clientGetRedirCommand},
		{Name: "client|trackinginfo", Handler: clientTrackingInfoCommand},
		{Name: "client|help", Handler: clientHelpCommand},
	}
}

// Client types (getClientType).
const (
	clientTypeNormal = iota
	clientTypeReplica
	clientTypePubSub
	clientTypeMaster
)

// clientTypeByName is getClientTypeByName; -1 for an unknown name.
func clientTypeByName(b []byte) int {
	switch {
	case bytesEqualFold(b, "normal"):
		return clientTypeNormal
	case bytesEqualFold(b, "slave"), bytesEqualFold(b, "replica"):
		return clientTypeReplica
	case bytesEqualFold(b, "pubsub"):
		return clientTypePubSub
	case bytesEqualFold(b, "master"):
		return clientTypeMaster
	}
	return -1
}

// clientType is getClientType: MONITOR clients count as normal ones.
func clientType(cl *Client) int {
	f := cl.Flags()
	switch {
	case f&FlagMaster != 0:
		return clientTypeMaster
	case f&FlagReplica != 0 && f&FlagMonitor == 0:
		return clientTypeReplica
	case f&FlagPubSub != 0:
		return clientTypePubSub
	}
	return clientTypeNormal
}

// validClientName is clientSetName's charset check: printable ASCII
// without spaces, so CLIENT LIST stays splittable.
func validClientName(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

// replyBufSize is the static reply buffer Redis gives every client
// (PROTO_REPLY_CHUNK_BYTES), which CLIENT LIST reports as rbs.
const replyBufSize = 16 * 1024

// clientStructSize approximates sizeof(client) and its fixed allocations
// for tot-mem.
const clientStructSize = 1024

// appendClientInfo is catClientInfoString: one CLIENT LIST line (without
// the newline). self is the running command's context when cl is the
// client running it.
func appendClientInfo(dst []byte, e *Engine, cl *Client, self *Ctx) []byte {
	now := e.NowMs() / 1000
	f := cl.Flags()
	var qbuf, qbufFree, obl, oll, omem int
	if cl.Conn != nil {
		qbuf, qbufFree, obl, oll, omem = cl.Conn.Buffers()
	}
	argvMem := cl.argvMem.Load()
	cmd := "NULL"
	if self != nil {
		argvMem = 0
		for _, a := range self.Argv {
			argvMem += int64(len(a))
		}
		cmd = self.Spec.Meta.Name
	} else if s := cl.lastCmd.Load(); s != nil {
		cmd = s.Meta.Name
	}
	multi := int64(-1)
	if f&FlagMulti != 0 {
		multi = int64(cl.MultiQueued.Load())
	}
	// Every client is the default user's until ACL users exist (Client.User
	// belongs to the client's own goroutine).
	user := defaultUser

	dst = append(dst, "id="...)
	dst = appendInt(dst, cl.ID)
	dst = append(dst, " addr="...)
	dst = append(dst, cl.Addr...)
	dst = append(dst, " laddr="...)
	dst = append(dst, cl.LAddr...)
	dst = append(dst, " fd="...)
	dst = appendInt(dst, int64(cl.FD))
	dst = append(dst, " name="...)
	dst = append(dst, cl.Name()...)
	dst = append(dst, " age="...)
	dst = appendInt(dst, now-cl.Created.Unix())
	dst = append(dst, " idle="...)
	dst = appendInt(dst, now-cl.LastActive()/1000)
	dst = append(dst, " flags="...)
	dst = appendClientFlags(dst, f, cl, cl.dirtyCAS.Load())
	dst = append(dst, " db="...)
	dst = appendInt(dst, int64(cl.dbAtomic.Load()))
	dst = append(dst, " sub="...)
	dst = appendInt(dst, int64(cl.Subs.Load()))
	dst = append(dst, " psub="...)
	dst = appendInt(dst, int64(cl.PSubs.Load()))
	dst = append(dst, " ssub="...)
	dst = appendInt(dst, int64(cl.SSubs.Load()))
	dst = append(dst, " multi="...)
	dst = appendInt(dst, multi)
	dst = append(dst, " qbuf="...)
	dst = appendInt(dst, int64(qbuf))
	dst = append(dst, " qbuf-free="...)
	dst = appendInt(dst, int64(qbufFree))
	dst = append(dst, " argv-mem="...)
	dst = appendInt(dst, argvMem)
	dst = append(dst, " multi-mem=0 rbs="...)
	dst = appendInt(dst, replyBufSize)
	dst = append(dst, " rbp="...)
	dst = appendInt(dst, replyBufSize)
	dst = append(dst, " obl="...)
	dst = appendInt(dst, int64(obl))
	dst = append(dst, " oll="...)
	dst = appendInt(dst, int64(oll))
	dst = append(dst, " omem="...)
	dst = appendInt(dst, int64(omem))
	dst = append(dst, " tot-mem="...)
	dst = appendInt(dst, int64(clientStructSize+replyBufSize+qbuf+qbufFree+omem)+argvMem)
	dst = append(dst, " events=r"...)
	if obl > 0 || oll > 0 {
		dst = append(dst, 'w')
	}
	dst = append(dst, " cmd="...)
	dst = append(dst, cmd...)
	dst = append(dst, " user="...)
	dst = append(dst, user...)
	dst = append(dst, " redir="...)
	dst = appendInt(dst, trackingRedirOf(cl))
	dst = append(dst, " resp="...)
	dst = appendInt(dst, int64(cl.Proto()))
	return dst
}

// appendClientFlags appends CLIENT LIST's flags letters in Redis's order.
func appendClientFlags(dst []byte, f uint32, cl *Client, dirtyCAS bool) []byte {
	n := len(dst)
	if f&FlagMonitor != 0 {
		dst = append(dst, 'O')
	} else if f&FlagReplica != 0 {
		dst = append(dst, 'S')
	}
	for _, fl := range [...]struct {
		flag uint32
		ch   byte
	}{{FlagMaster, 'M'}, {FlagPubSub, 'P'}, {FlagMulti, 'x'}, {FlagBlocked, 'b'}} {
		if f&fl.flag != 0 {
			dst = append(dst, fl.ch)
		}
	}
	dst = appendTrackingFlags(dst, cl)
	if dirtyCAS {
		dst = append(dst, 'd')
	}
	for _, fl := range [...]struct {
		flag uint32
		ch   byte
	}{{FlagCloseAfterReply, 'c'}, {FlagUnixSocket, 'U'}, {FlagReadonly, 'r'}, {FlagNoEvict, 'e'}} {
		if f&fl.flag != 0 {
			dst = append(dst, fl.ch)
		}
	}
	if len(dst) == n {
		dst = append(dst, 'N')
	}
	return dst
}

// containerCommand answers a container command (CLIENT, CONFIG, ...)
// called without a subcommand; the dispatcher rejects that for arity,
// so it only runs if a container's arity allows it.
func containerCommand(c *Ctx) { subcommandSyntaxError(c) }

// subcommandSyntaxError is addReplySubcommandSyntaxError.
func subcommandSyntaxError(c *Ctx) {
	sub := ""
	if len(c.Argv) > 1 {
		sub = trunc(c.Argv[1], 128)
	}
	c.Error("ERR unknown subcommand or wrong number of arguments for '" + sub + "'. Try " +
		strings.ToUpper(string(c.Argv[0])) + " HELP.")
}

// writeHelp is addReplyHelp: a header naming the command, the given
// lines, and HELP's own entry.
func writeHelp(c *Ctx, lines ...string) {
	c.W.Array(len(lines) + 3)
	c.W.Status(strings.ToUpper(string(c.Argv[0])) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.W.Status(l)
	}
	c.W.Status("HELP")
	c.W.Status("    Prints this help.")
}

func clientIDCommand(c *Ctx) { c.W.Int(c.C.ID) }

func clientInfoCommand(c *Ctx) {
	b := appendClientInfo(nil, c.E, c.C, c)
	c.W.Verbatim("txt", append(b, '\n'))
}

func clientListCommand(c *Ctx) {
	typ := -1
	var ids []int64
	switch {
	case len(c.Argv) == 4 && c.Is(2, "type"):
		typ = clientTypeByName(c.Argv[3])
		if typ == -1 {
			c.Error("ERR Unknown client type '" + string(c.Argv[3]) + "'")
			return
		}
	case len(c.Argv) > 3 && c.Is(2, "id"):
		for _, a := range c.Argv[3:] {
			id, ok := parseInt(a)
			if !ok {
				c.Error(ErrInvalidID)
				return
			}
			ids = append(ids, id)
		}
	case len(c.Argv) != 2:
		c.Error(ErrSyntax)
		return
	}
	var b []byte
	line := func(cl *Client) {
		var self *Ctx
		if cl == c.C {
			self = c
		}
		b = appendClientInfo(b, c.E, cl, self)
		b = append(b, '\n')
	}
	if ids != nil {
		for _, id := range ids {
			if cl := c.E.Clients.ByID(id); cl != nil {
				line(cl)
			}
		}
	} else {
		for _, cl := range c.E.Clients.Snapshot() {
			if typ == -1 || clientType(cl) == typ {
				line(cl)
			}
		}
	}
	c.W.Verbatim("txt", b)
}

// clientKillCommand is CLIENT KILL addr (old form: "OK" or an error) and
// CLIENT KILL <filter> <value> ... (new form: the number killed).
func clientKillCommand(c *Ctx) {
	var addr, laddr []byte
	typ := -1
	id := int64(0)
	skipme := true
	if len(c.Argv) == 3 {
		addr = c.Argv[2]
		skipme = false // with the old form a client can kill itself
	} else {
		for i := 2; i < len(c.Argv); i += 2 {
			if i+1 >= len(c.Argv) {
				c.Error(ErrSyntax)
				return
			}
			v := c.Argv[i+1]
			switch {
			case c.Is(i, "id"):
				n, ok := parseInt(v)
				if !ok || n < 1 {
					c.Error(ErrClientID)
					return
				}
				id = n
			case c.Is(i, "type"):
				typ = clientTypeByName(v)
				if typ == -1 {
					c.Error("ERR Unknown client type '" + string(v) + "'")
					return
				}
			case c.Is(i, "addr"):
				addr = v
			case c.Is(i, "laddr"):
				laddr = v
			case c.Is(i, "user"):
				// Every client is the default user's: the filter only
				// has to name an existing user.
				if string(v) != defaultUser {
					c.Error("ERR No such user '" + string(v) + "'")
					return
				}
			case c.Is(i, "skipme"):
				switch {
				case bytesEqualFold(v, "yes"):
					skipme = true
				case bytesEqualFold(v, "no"):
					skipme = false
				default:
					c.Error(ErrSyntax)
					return
				}
			default:
				c.Error(ErrSyntax)
				return
			}
		}
	}
	killed := 0
	self := false
	for _, cl := range c.E.Clients.Snapshot() {
		switch {
		case addr != nil && cl.Addr != string(addr),
			laddr != nil && cl.LAddr != string(laddr),
			typ != -1 && clientType(cl) != typ,
			id != 0 && cl.ID != id,
			cl == c.C && skipme:
			continue
		}
		if cl == c.C {
			self = true
		} else {
			// Unregister now so that INFO and CLIENT LIST stop showing
			// it at once, as Redis's synchronous freeClient.
			c.E.Clients.Remove(cl)
			c.E.CancelBlock(cl) // nothing is served to it any more (freeClient -> unblockClient)
			if cl.Conn != nil {
				cl.Conn.Close()
			}
		}
		killed++
	}
	if len(c.Argv) == 3 {
		if killed == 0 {
			c.Error(ErrNoSuchClient)
			return
		}
		c.W.OK()
	} else {
		c.W.Int(int64(killed))
	}
	if self {
		c.C.SetFlag(FlagCloseAfterReply, true)
	}
}

func clientSetNameCommand(c *Ctx) {
	if !validClientName(c.Argv[2]) {
		c.Error(ErrClientName)
		return
	}
	c.C.SetName(string(c.Argv[2]))
	c.W.OK()
}

func clientGetNameCommand(c *Ctx) {
	if n := c.C.Name(); n != "" {
		c.W.BulkString(n)
		return
	}
	c.W.Null()
}

// clientPauseCommand is CLIENT PAUSE timeout [WRITE|ALL]; the network
// layer does the pausing (Engine.PauseFn).
func clientPauseCommand(c *Ctx) {
	if len(c.Argv) > 4 {
		subcommandSyntaxError(c)
		return
	}
	writesOnly := false
	if len(c.Argv) == 4 {
		switch {
		case c.Is(3, "write"):
			writesOnly = true
		case c.Is(3, "all"):
		default:
			c.Error(ErrPauseMode)
			return
		}
	}
	ms, ok := parseInt(c.Argv[2])
	if !ok {
		c.Error(ErrTimeoutNotInt)
		return
	}
	if ms < 0 {
		c.Error(ErrTimeoutNeg)
		return
	}
	// The pause runs on the wall clock (Engine.Pause); 0 is already over.
	until := time.UnixMilli(0)
	if ms > 0 {
		now := time.Now().UnixMilli()
		end := int64(math.MaxInt64 / int64(time.Millisecond))
		if ms < end-now {
			end = now + ms
		}
		until = time.UnixMilli(end)
	}
	if c.E.PauseFn != nil {
		c.E.PauseFn(until, writesOnly)
	}
	c.W.OK()
}

func clientUnpauseCommand(c *Ctx) {
	if c.E.UnpauseFn != nil {
		c.E.UnpauseFn()
	}
	c.W.OK()
}

// clientReplyCommand is CLIENT REPLY ON|OFF|SKIP; the network layer drops
// the replies ReplyMode says to.
func clientReplyCommand(c *Ctx) {
	switch {
	case c.Is(2, "on"):
		c.C.ReplyMode.Store(ReplyOn)
		c.W.OK()
	case c.Is(2, "off"):
		c.C.ReplyMode.Store(ReplyOff)
	case c.Is(2, "skip"):
		// The network layer turns ReplySkipNext into ReplySkip once this
		// command is done, and ReplySkip back into ReplyOn after the next.
		if c.C.ReplyMode.Load() != ReplyOff {
			c.C.ReplyMode.Store(ReplySkipNext)
		}
	default:
		c.Error(ErrSyntax)
	}
}

func clientNoEvictCommand(c *Ctx) {
	switch {
	case c.Is(2, "on"):
		c.C.SetFlag(FlagNoEvict, true)
	case c.Is(2, "off"):
		c.C.SetFlag(FlagNoEvict, false)
	default:
		c.Error(ErrSyntax)
		return
	}
	c.W.OK()
}

func clientHelpCommand(c *Ctx) {
	writeHelp(c,
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
	)
}
