package command

// Server commands: INFO, TIME, LASTSAVE, SHUTDOWN, and the groups of
// CLIENT, CONFIG, COMMAND, SLOWLOG, LATENCY, MONITOR, MEMORY and DEBUG
// (clientcmd.go, configcmd.go, introspection.go).
func serverCommands() []*Spec {
	specs := []*Spec{
		{Name: "info", Handler: infoCommand, Lock: LockSelf},
		{Name: "time", Handler: timeCommand},
		{Name: "lastsave", Handler: lastsaveCommand},
		{Name: "shutdown", Handler: shutdownCommand},
	}
	specs = append(specs, clientCommands()...)
	specs = append(specs, configCommands()...)
	return append(specs, introspectionCommands()...)
}

// timeCommand is TIME: the server clock as seconds and microseconds.
func timeCommand(c *Ctx) {
	us := c.E.Now().UnixMicro()
	c.W.Array(2)
	c.W.BulkInt(us / 1e6)
	c.W.BulkInt(us % 1e6)
}

func lastsaveCommand(c *Ctx) { c.W.Int(c.E.lastSave.Load()) }

// shutdownCommand is db.c shutdownCommand: SHUTDOWN [NOSAVE|SAVE] [NOW]
// [FORCE] [ABORT]. The network layer does the work (Engine.ShutdownFn); a
// shutdown that goes ahead sends no reply, the connection just closes.
func shutdownCommand(c *Ctx) {
	var nosave, save, now, force, abort bool
	for i := 1; i < len(c.Argv); i++ {
		switch {
		case c.Is(i, "nosave"):
			nosave = true
		case c.Is(i, "save"):
			save = true
		case c.Is(i, "now"):
			now = true
		case c.Is(i, "force"):
			force = true
		case c.Is(i, "abort"):
			abort = true
		default:
			c.Error(ErrSyntax)
			return
		}
	}
	if (abort && (nosave || save || now || force)) || (nosave && save) {
		c.Error(ErrSyntax)
		return
	}
	if c.E.ShutdownFn == nil {
		if abort {
			c.Error(ErrNoShutdown)
		} else {
			c.Error(ErrShutdown)
		}
		return
	}
	if err := c.E.ShutdownFn(nosave, save, now, force, abort); err != nil {
		c.Error(err.Error())
		return
	}
	if abort {
		c.W.OK()
		return
	}
	c.C.SetFlag(FlagCloseAfterReply, true)
}
