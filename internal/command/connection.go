package command

// Connection commands: PING, ECHO, QUIT, SELECT, ... (Redis's networking.c
// and server.c handlers).
func connectionCommands() []*Spec {
	return []*Spec{
		{Name: "ping", Handler: pingCommand},
		{Name: "echo", Handler: echoCommand},
		{Name: "quit", Handler: quitCommand},
		{Name: "select", Handler: selectCommand},
	}
}

func pingCommand(c *Ctx) {
	if len(c.Argv) > 2 {
		c.WrongArity()
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
	id, ok := parseInt(c.Argv[1])
	if !ok {
		c.Error("ERR value is not an integer or out of range")
		return
	}
	if id < 0 || id >= int64(c.E.KS.NumDBs()) {
		c.Error(ErrDBIndex)
		return
	}
	c.C.SelectDB(int(id))
	c.W.OK()
}
