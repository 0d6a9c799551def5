package command

// Server commands: INFO, CONFIG, COMMAND, CLIENT, DEBUG, SLOWLOG, ...
func serverCommands() []*Spec {
	return []*Spec{}
}
