package command

import (
	"github.com/cinnabar-db/cinnabar/internal/command/meta"
	"github.com/cinnabar-db/cinnabar/internal/pubsub"
	"github.com/cinnabar-db/cinnabar/internal/resp"
)

// Pub/Sub commands (Redis 7.0's pubsub.c): SUBSCRIBE, UNSUBSCRIBE,
// PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, their shard forms and PUBSUB. The
// subscriptions live in the engine's pubsub.Registry; a Client is its
// pubsub.Subscriber.
//
// Where the bytes go. A (un)subscription confirmation is part of the
// command's reply; a message published by the client itself (PUBLISH to
// a channel it listens to, or a keyspace notification its own write
// causes) goes into its reply stream at that point too, before the
// command's reply, as Redis appends it to the same output buffer.
// Messages from other clients arrive through Conn.Push. Redis sends these
// pushes even when the client silenced its replies with CLIENT REPLY
// OFF/SKIP (the CLIENT_PUSHING flag): then they go through Conn.Push as
// well, since the network layer drops the reply of a silenced command.
func pubsubCommands() []*Spec {
	return []*Spec{
		{Name: "subscribe", Handler: subscribeCommand},
		{Name: "unsubscribe", Handler: unsubscribeCommand},
		{Name: "psubscribe", Handler: psubscribeCommand},
		{Name: "punsubscribe", Handler: punsubscribeCommand},
		{Name: "publish", Handler: publishCommand},
		// The shard commands name channels as keys (for cluster routing);
		// they touch no keyspace shard.
		{Name: "ssubscribe", Handler: ssubscribeCommand, Lock: LockSelf},
		{Name: "sunsubscribe", Handler: sunsubscribeCommand, Lock: LockSelf},
		{Name: "spublish", Handler: spublishCommand, Lock: LockSelf},
		{Name: "pubsub", Handler: containerCommand},
		{Name: "pubsub|channels", Handler: pubsubChannelsCommand},
		{Name: "pubsub|numsub", Handler: pubsubNumsubCommand},
		{Name: "pubsub|numpat", Handler: pubsubNumpatCommand},
		{Name: "pubsub|shardchannels", Handler: pubsubShardChannelsCommand},
		{Name: "pubsub|shardnumsub", Handler: pubsubShardNumsubCommand},
		{Name: "pubsub|help", Handler: pubsubHelpCommand},
	}
}

// Deliver implements pubsub.Subscriber: messages from other clients are
// queued on the connection, in order with its replies.
func (cl *Client) Deliver(b []byte) {
	if cl.Conn != nil {
		cl.Conn.Push(b)
	}
}

var _ pubsub.Subscriber = (*Client)(nil)

// repliesOn reports whether the running command's reply reaches the
// client (not silenced by CLIENT REPLY OFF or SKIP).
func (c *Ctx) repliesOn() bool { return c.C.ReplyMode.Load() == ReplyOn }

// pubsubConfirm writes a (un)subscription confirmation; name nil is the
// null channel of an "unsubscribe from all" that had nothing to do.
func (c *Ctx) pubsubConfirm(kind string, name []byte, count int) {
	if c.repliesOn() {
		c.W.Buf = pubsub.AppendConfirmation(c.W.Buf, c.W.Proto, kind, name, count)
		return
	}
	c.C.Deliver(pubsub.AppendConfirmation(nil, c.W.Proto, kind, name, count))
}

// publish is pubsubPublishMessage from a command: messages for the
// calling client itself join its reply stream here.
func (c *Ctx) publish(k pubsub.Kind, channel, payload []byte) int {
	ps := c.E.PubSub
	if c.C == nil {
		n, _ := ps.Publish(k, channel, payload, nil, nil)
		return n
	}
	if c.repliesOn() {
		n, out := ps.Publish(k, channel, payload, c.C, c.W.Buf)
		c.W.Buf = out
		return n
	}
	n, out := ps.Publish(k, channel, payload, c.C, nil)
	if len(out) > 0 {
		c.C.Deliver(out)
	}
	return n
}

// syncSubscriptions refreshes the client's CLIENT LIST counts and its
// pubsub flag after (un)subscribing: a client leaves Pub/Sub mode when it
// has no subscription left (clientTotalPubSubSubscriptionCount == 0).
func (e *Engine) syncSubscriptions(cl *Client, subscribed bool) {
	ch, pat, sh := e.PubSub.Counts(cl)
	cl.Subs.Store(int32(ch))
	cl.PSubs.Store(int32(pat))
	cl.SSubs.Store(int32(sh))
	if subscribed {
		cl.SetFlag(FlagPubSub, true)
	} else if ch+pat+sh == 0 {
		cl.SetFlag(FlagPubSub, false)
	}
}

// SUBSCRIBE channel [channel ...]
func subscribeCommand(c *Ctx) {
	// A client that must not block expects one reply per command; MULTI
	// is exempt for backward compatibility (pubsub.c).
	if c.NoBlock && !c.InExec {
		c.Error(ErrSubscribeDenyBlocking)
		return
	}
	for _, ch := range c.Argv[1:] {
		_, n := c.E.PubSub.Subscribe(c.C, pubsub.Global, ch)
		c.pubsubConfirm("subscribe", ch, n)
	}
	c.E.syncSubscriptions(c.C, true)
}

// UNSUBSCRIBE [channel ...]
func unsubscribeCommand(c *Ctx) {
	c.unsubscribe(pubsub.Global, "unsubscribe")
}

// SSUBSCRIBE shardchannel [shardchannel ...]
func ssubscribeCommand(c *Ctx) {
	if c.NoBlock || c.InExec { // no MULTI exemption for shard channels
		c.Error(ErrSSubscribeDenyBlocking)
		return
	}
	for _, ch := range c.Argv[1:] {
		_, n := c.E.PubSub.Subscribe(c.C, pubsub.Shard, ch)
		c.pubsubConfirm("ssubscribe", ch, n)
	}
	c.E.syncSubscriptions(c.C, true)
}

// SUNSUBSCRIBE [shardchannel ...]
func sunsubscribeCommand(c *Ctx) {
	c.unsubscribe(pubsub.Shard, "sunsubscribe")
}

func (c *Ctx) unsubscribe(k pubsub.Kind, kind string) {
	ps := c.E.PubSub
	if len(c.Argv) == 1 {
		n := ps.UnsubscribeAll(c.C, k, func(ch []byte, count int) {
			c.pubsubConfirm(kind, ch, count)
		})
		if n == 0 { // "We were subscribed to nothing? Still reply."
			ch, pat, sh := ps.Counts(c.C)
			count := ch + pat
			if k == pubsub.Shard {
				count = sh
			}
			c.pubsubConfirm(kind, nil, count)
		}
	} else {
		for _, ch := range c.Argv[1:] {
			_, n := ps.Unsubscribe(c.C, k, ch)
			c.pubsubConfirm(kind, ch, n)
		}
	}
	c.E.syncSubscriptions(c.C, false)
}

// PSUBSCRIBE pattern [pattern ...]
func psubscribeCommand(c *Ctx) {
	if c.NoBlock && !c.InExec {
		c.Error(ErrPSubscribeDenyBlocking)
		return
	}
	for _, p := range c.Argv[1:] {
		_, n := c.E.PubSub.PSubscribe(c.C, p)
		c.pubsubConfirm("psubscribe", p, n)
	}
	c.E.syncSubscriptions(c.C, true)
}

// PUNSUBSCRIBE [pattern ...]
func punsubscribeCommand(c *Ctx) {
	ps := c.E.PubSub
	if len(c.Argv) == 1 {
		n := ps.PUnsubscribeAll(c.C, func(p []byte, count int) {
			c.pubsubConfirm("punsubscribe", p, count)
		})
		if n == 0 {
			ch, _, _ := ps.Counts(c.C)
			c.pubsubConfirm("punsubscribe", nil, ch)
		}
	} else {
		for _, p := range c.Argv[1:] {
			_, n := ps.PUnsubscribe(c.C, p)
			c.pubsubConfirm("punsubscribe", p, n)
		}
	}
	c.E.syncSubscriptions(c.C, false)
}

// PUBLISH channel message
func publishCommand(c *Ctx) {
	c.W.Int(int64(c.publish(pubsub.Global, c.Argv[1], c.Argv[2])))
	c.ForceReplPropagation() // replicas deliver it to their own subscribers
}

// SPUBLISH shardchannel message
func spublishCommand(c *Ctx) {
	c.W.Int(int64(c.publish(pubsub.Shard, c.Argv[1], c.Argv[2])))
	c.ForceReplPropagation()
}

// PUBSUB CHANNELS [pattern]
func pubsubChannelsCommand(c *Ctx) { pubsubChannelList(c, pubsub.Global) }

// PUBSUB SHARDCHANNELS [pattern]
func pubsubShardChannelsCommand(c *Ctx) { pubsubChannelList(c, pubsub.Shard) }

func pubsubChannelList(c *Ctx, k pubsub.Kind) {
	if len(c.Argv) > 3 {
		subcommandSyntaxError(c)
		return
	}
	var pat []byte
	if len(c.Argv) == 3 {
		pat = c.Argv[2]
	}
	chans := c.E.PubSub.Channels(k, pat, nil)
	c.W.Array(len(chans))
	for _, ch := range chans {
		c.W.Bulk(ch)
	}
}

// PUBSUB NUMSUB [channel ...]
func pubsubNumsubCommand(c *Ctx) { pubsubNumsub(c, pubsub.Global) }

// PUBSUB SHARDNUMSUB [shardchannel ...]
func pubsubShardNumsubCommand(c *Ctx) { pubsubNumsub(c, pubsub.Shard) }

func pubsubNumsub(c *Ctx, k pubsub.Kind) {
	c.W.Array((len(c.Argv) - 2) * 2)
	for _, ch := range c.Argv[2:] {
		c.W.Bulk(ch)
		c.W.Int(int64(c.E.PubSub.NumSub(k, ch)))
	}
}

// PUBSUB NUMPAT
func pubsubNumpatCommand(c *Ctx) { c.W.Int(int64(c.E.PubSub.NumPat())) }

// PUBSUB HELP
func pubsubHelpCommand(c *Ctx) {
	writeHelp(c,
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	)
}

// subscribedModeCheck is processCommand's Pub/Sub context check: a RESP2
// client with subscriptions may only run (P|S)SUBSCRIBE,
// (P|S)UNSUBSCRIBE, PING, QUIT and RESET (RESP3 has no limit). It reports
// whether the command may run; when not, the error is written and
// counted as a rejection. The dispatcher calls it after the auth and
// MULTI-nesting checks, before queueing into MULTI.
func (e *Engine) subscribedModeCheck(cl *Client, m *meta.Command, w *resp.Writer) bool {
	if cl.Flags()&FlagPubSub == 0 || cl.Proto() != 2 {
		return true
	}
	// Redis compares the command's proc with these nine.
	switch m.Name {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe",
		"psubscribe", "punsubscribe", "quit", "reset":
		return true
	}
	e.reject(cl, e.SpecOf(m), w, errSubscribedMode(m.Name))
	return false
}

// pubsubDisconnect drops the subscriptions of a departing client; the
// engine's Disconnect calls it.
func (e *Engine) pubsubDisconnect(cl *Client) { e.pubsubReset(cl) }

// pubsubReset drops every subscription of cl without a word to it and
// takes it out of Pub/Sub mode, as RESET does (clearClientConnectionState
// unsubscribes from all channels, shard channels and patterns silently).
func (e *Engine) pubsubReset(cl *Client) {
	if cl.Flags()&FlagPubSub == 0 && cl.Subs.Load()+cl.PSubs.Load()+cl.SSubs.Load() == 0 {
		return
	}
	e.PubSub.Drop(cl)
	cl.Subs.Store(0)
	cl.PSubs.Store(0)
	cl.SSubs.Store(0)
	cl.SetFlag(FlagPubSub, false)
}

// pubsubMatch is the registry's pattern matcher: stringmatchlen, case
// sensitive.
func pubsubMatch(pattern, channel []byte) bool { return StringMatch(pattern, channel, false) }
