package command

import (
	"strings"

	"github.com/cinnabar-db/cinnabar/internal/config"
)

// CONFIG subcommands (config.c); the parameters and their parsing live in
// internal/config.
func configCommands() []*Spec {
	return []*Spec{
		{Name: "config", Handler: containerCommand},
		{Name: "config|get", Handler: configGetCommand},
		{Name: "config|set", Handler: configSetCommand},
		{Name: "config|resetstat", Handler: configResetStatCommand},
		{Name: "config|rewrite", Handler: configRewriteCommand},
		{Name: "config|help", Handler: configHelpCommand},
	}
}

func configGetCommand(c *Ctx) {
	pats := make([]string, len(c.Argv)-2)
	for i, a := range c.Argv[2:] {
		pats[i] = string(a)
	}
	pairs := c.E.Cfg.Get(pats...)
	c.W.Map(len(pairs))
	for _, p := range pairs {
		c.W.BulkString(p[0])
		c.W.BulkString(p[1])
	}
}

func configSetCommand(c *Ctx) {
	if len(c.Argv)%2 != 0 {
		c.Error(ErrSyntax)
		return
	}
	pairs := make([]string, len(c.Argv)-2)
	for i, a := range c.Argv[2:] {
		pairs[i] = string(a)
	}
	// Secrets never reach the slow log or MONITOR.
	for i := 2; i+1 < len(c.Argv); i += 2 {
		if info, ok := c.E.Cfg.Lookup(string(c.Argv[i])); ok && info.Sensitive {
			c.redact(i + 1)
		}
	}
	err := c.E.Cfg.SetWith(config.SetOptions{LocalClient: isLocalClient(c.C)}, pairs...)
	if err != nil {
		c.Error(err.Error())
		return
	}
	c.E.Slowlog.Trim(int(c.E.Cfg.SlowlogMaxLen.Load()))
	c.W.OK()
}

// isLocalClient is islocalClient (networking.c): a Unix socket or a
// loopback peer.
func isLocalClient(cl *Client) bool {
	if cl.Flags()&FlagUnixSocket != 0 {
		return true
	}
	return strings.HasPrefix(cl.Addr, "127.0.0.1:") || strings.HasPrefix(cl.Addr, "[::1]:")
}

// configResetStatCommand is CONFIG RESETSTAT: the INFO counters, the
// command statistics with their latency histograms and the error
// statistics (resetServerStats, resetCommandTableStats,
// resetErrorTableStats); the slow log and latency events stay.
func configResetStatCommand(c *Ctx) {
	c.E.ResetStats()
	c.W.OK()
}

func configRewriteCommand(c *Ctx) {
	if err := c.E.Cfg.Rewrite(); err != nil {
		c.E.Log.Warning("CONFIG REWRITE failed: ", err.Error())
		c.Error(err.Error())
		return
	}
	c.E.Log.Warning("CONFIG REWRITE executed with success.")
	c.W.OK()
}

func configHelpCommand(c *Ctx) {
	writeHelp(c,
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	)
}
