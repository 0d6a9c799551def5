package command

// List commands (Redis's t_list.c).
func listCommands() []*Spec {
	return []*Spec{}
}
