// Command cinnabar runs a Cinnabar server:
//
//	cinnabar [/path/to/redis.conf] [--name value ...]
//
// with redis-server's configuration file syntax, names and defaults.
package main

import (
	"os"

	"github.com/cinnabar-db/cinnabar"
)

func main() {
	os.Exit(cinnabar.Main(os.Args[1:], os.Stdout, os.Stderr))
}
