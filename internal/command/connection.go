package command

import (
	"crypto/subtle"

	"github.com/cinnabar-db/cinnabar/internal/config"
)

// Connection commands: PING, ECHO, QUIT, SELECT, RESET, HELLO, AUTH
// (Redis's server.c, networking.c and acl.c handlers).
func connectionCommands() []*Spec {
	return []*Spec{
		{Name: "ping", Handler: pingCommand},
		{Name: "echo", Handler: echoCommand},
		{Name: "quit", Handler: quitCommand},
		{Name: "select", Handler: selectCommand},
		{Name: "reset", Handler: resetCommand},
		{Name: "hello", Handler: helloCommand},
		{Name: "auth", Handler: authCommand},
	}
}

// defaultUser is the name of the user requirepass protects (ACL's
// "default" user).
const defaultUser = "default"

func pingCommand(c *Ctx) {
	if len(c.Argv) > 2 {
		c.WrongArity()
		return
	}
	// A RESP2 client in subscribed mode can only read push-like arrays
	// (server.c pingCommand).
	if c.C.Flags()&FlagPubSub != 0 && c.W.Proto == 2 {
		c.W.Array(2)
		c.W.BulkString("pong")
		if len(c.Argv) == 2 {
			c.W.Bulk(c.Argv[1])
		} else {
			c.W.BulkString("")
		}
		return
	}
	if len(c.Argv) == 2 {
		c.W.Bulk(c.Argv[1])
		return
	}
	c.W.Status("PONG")
}

func echoCommand(c *Ctx) { c.W.Bulk(c.Argv[1]) }

func quitCommand(c *Ctx) {
	c.W.OK()
	c.C.SetFlag(FlagCloseAfterReply, true)
}

func selectCommand(c *Ctx) {
	id, ok := intArgOrReply(c, c.Argv[1], "")
	if !ok {
		return
	}
	if id < 0 || id >= c.E.KS.NumDBs() {
		c.Error(ErrDBIndex)
		return
	}
	c.C.SelectDB(int(id))
	c.W.OK()
}

// resetCommand is networking.c resetCommand: the connection goes back to
// the state of a new one.
func resetCommand(c *Ctx) {
	if c.C.Flags()&(FlagReplica|FlagMaster) != 0 {
		c.Error(ErrResetNotNormal)
		return
	}
	c.E.Clients.RemoveMonitor(c.C)
	c.E.discardTransaction(c.C)
	c.E.pubsubReset(c.C)
	c.E.disableTracking(c.C)
	c.C.SelectDB(0)
	c.C.SetProto(2)
	c.W.Proto = 2
	c.C.User = defaultUser
	c.C.Authenticated = !c.E.authRequired()
	c.C.SetName("")
	c.C.SetFlag(FlagReadonly|FlagPubSub|FlagNoEvict, false)
	c.C.ReplyMode.Store(ReplyOn)
	c.W.Status("RESET")
}

// helloCommand is networking.c helloCommand:
// HELLO [protover [AUTH user pass] [SETNAME name]].
func helloCommand(c *Ctx) {
	ver := int64(0)
	next := 1
	if len(c.Argv) >= 2 {
		v, ok := parseInt(c.Argv[1])
		if !ok {
			c.Error(ErrProtoNotInt)
			return
		}
		if v < 2 || v > 3 {
			c.Error(ErrNoProto)
			return
		}
		ver = v
		next = 2
	}
	for j := next; j < len(c.Argv); j++ {
		more := len(c.Argv) - 1 - j
		switch {
		case c.Is(j, "auth") && more >= 2:
			user, pass := c.Argv[j+1], c.Argv[j+2]
			ok := c.authenticate(user, pass)
			c.redact(j + 1)
			c.redact(j + 2)
			if !ok {
				c.Error(ErrWrongPass)
				return
			}
			j += 2
		case c.Is(j, "setname") && more >= 1:
			if !validClientName(c.Argv[j+1]) {
				c.Error(ErrClientName)
				return
			}
			c.C.SetName(string(c.Argv[j+1]))
			j++
		default:
			c.Error("ERR Syntax error in HELLO option '" + string(c.Argv[j]) + "'")
			return
		}
	}
	if !c.C.Authenticated {
		c.Error(ErrHelloNoAuth)
		return
	}
	if ver != 0 {
		c.C.SetProto(int(ver))
		c.W.Proto = int(ver)
	}
	w := c.W
	w.Map(7)
	w.BulkString("server")
	w.BulkString("redis")
	w.BulkString("version")
	w.BulkString(config.Version)
	w.BulkString("proto")
	w.Int(int64(c.C.Proto()))
	w.BulkString("id")
	w.Int(c.C.ID)
	w.BulkString("mode")
	w.BulkString(serverMode(c.E))
	w.BulkString("role")
	if isReplica(c.E) {
		w.BulkString("replica")
	} else {
		w.BulkString("master")
	}
	w.BulkString("modules")
	w.Array(0)
}

// authCommand is acl.c authCommand: AUTH password, or AUTH user password.
func authCommand(c *Ctx) {
	if len(c.Argv) > 3 {
		c.Error(ErrSyntax)
		return
	}
	var user, pass []byte
	if len(c.Argv) == 2 {
		user, pass = []byte(defaultUser), c.Argv[1]
	} else {
		user, pass = c.Argv[1], c.Argv[2]
	}
	c.redact(1)
	c.redact(2)
	// The old form fails when the default user needs no password.
	if len(c.Argv) == 2 && !c.E.authRequired() {
		c.Error(ErrNoPasswordSet)
		return
	}
	ok := c.authenticate(user, pass)
	if !ok {
		c.Error(ErrWrongPass)
		return
	}
	c.W.OK()
}

// authenticate checks user/pass against the users Cinnabar knows (the
// default user, protected by requirepass) and on success authenticates
// the client, as ACLAuthenticateUser.
func (c *Ctx) authenticate(user, pass []byte) bool {
	if string(user) != defaultUser {
		return false
	}
	if c.E.authRequired() {
		want := c.E.Cfg.RequirePass.Load()
		if subtle.ConstantTimeCompare(pass, []byte(want)) != 1 {
			return false
		}
	}
	c.C.Authenticated = true
	c.C.User = defaultUser
	return true
}

// redact replaces argv[i] by "(redacted)" so that the slow log and
// MONITOR never show secrets (redactClientCommandArgument).
func (c *Ctx) redact(i int) {
	if i < len(c.Argv) {
		c.Argv[i] = []byte("(redacted)")
	}
}

// serverMode is the redis_mode of INFO and HELLO.
func serverMode(e *Engine) string {
	if e.Cfg != nil && e.Cfg.ClusterEnabled.Load() {
		return "cluster"
	}
	return "standalone"
}

// isReplica reports whether the server is configured as a replica.
func isReplica(e *Engine) bool {
	return e.Cfg != nil && e.Cfg.ReplicaOf.Load().Host != ""
}
