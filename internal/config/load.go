package config

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// FatalError is a configuration error at startup, worded as redis-server
// prints it. redis-server writes "\n" + Error() + "\n" to stderr and exits
// with status 1; Report returns exactly those bytes.
type FatalError struct {
	Line   int    // 1-based line of the offending directive; 0 if none
	Text   string // the line, blanks trimmed
	Reason string // e.g. "Bad directive or wrong number of arguments"
}

func (e *FatalError) Error() string {
	s := "*** FATAL CONFIG FILE ERROR (Redis " + Version + ") ***\n"
	if e.Line > 0 {
		s += "Reading the configuration file, at line " + strconv.Itoa(e.Line) + "\n>>> '" + e.Text + "'\n"
	}
	return s + e.Reason
}

// Report returns what redis-server writes to stderr for this error.
func (e *FatalError) Report() string { return "\n" + e.Error() + "\n" }

// FileError is a configuration file (or include) that cannot be opened.
// redis-server logs its text as a warning and exits with status 1.
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string {
	return "Fatal error, can't open config file '" + e.Path + "': " + strerror(e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// Directive is a configuration directive that is not a parameter: user,
// rename-command, loadmodule, sentinel, or a module parameter (a name with a
// dot). Load only checks its argument count; acting on it is the server's.
type Directive struct {
	Name string   // lower-cased directive name
	Args []string // arguments after the name
	Line int      // line in its file (or in the command-line text)
	Text string   // the whole line, blanks trimmed
}

// LoadOptions adjusts LoadWith.
type LoadOptions struct {
	// Stdin is read when the arguments ask for the configuration on
	// standard input ("-"); nil means os.Stdin.
	Stdin io.Reader
	// Directive, if set, is called for each non-parameter directive as it
	// is read; an error fails the load with a FatalError at that line whose
	// reason is the error's text (for example "No such command in
	// rename-command").
	Directive func(d Directive) error
}

// loadState is what loadServerConfigFromString keeps in C statics.
type loadState struct {
	opts        LoadOptions
	readingFile bool // C's reading_config_file
	saveLoaded  bool // the first save line replaced the defaults
	depth       int  // include nesting
}

const maxIncludeDepth = 64

// Load builds a Config the way redis-server does from its arguments (args
// are os.Args[1:]): an optional first argument naming the configuration
// file (one not starting with '-'), "-" as the first or last argument to
// read more configuration from standard input, and "--name value..."
// options, each running until the next "--" argument and applied after the
// file. Errors are *FatalError or *FileError. "--version", "--help",
// "--test-memory" and "--check-system" are for the caller to handle first.
func Load(args []string) (*Config, error) {
	return LoadWith(args, LoadOptions{})
}

// LoadWith is Load with options.
func LoadWith(args []string, opts LoadOptions) (*Config, error) {
	c := New()
	if len(args) == 0 {
		return c, nil
	}
	ls := &loadState{opts: opts, readingFile: true}
	j := 0
	if args[0] == "" || args[0][0] != '-' {
		abs, err := filepath.Abs(strings.Trim(args[0], " \r\n\t"))
		if err != nil {
			abs = args[0]
		}
		c.configFile = abs
		j = 1
	}
	fromStdin := false
	options := buildOptions(args, j, &fromStdin)

	var content []byte
	if c.configFile != "" {
		b, err := readConfigFiles(c.configFile)
		if err != nil {
			return nil, err
		}
		content = b
	}
	if fromStdin {
		in := opts.Stdin
		if in == nil {
			in = os.Stdin
		}
		b, err := io.ReadAll(in)
		if err != nil {
			return nil, &FileError{Path: "-", Err: err}
		}
		content = append(content, b...)
	}
	content = append(content, '\n')
	content = append(content, options...)
	if err := c.loadString(string(content), ls); err != nil {
		return nil, err
	}
	return c, nil
}

// buildOptions turns the arguments after the file into configuration text
// as redis-server's main() does: "--name" starts a line, other arguments
// are appended quoted. A bare "--save" followed by another option or by
// nothing means save "".
func buildOptions(args []string, j int, fromStdin *bool) []byte {
	var options []byte
	handledLast := true
	for ; j < len(args); j++ {
		a := args[j]
		if a == "-" && (j == 0 || j == len(args)-1) {
			*fromStdin = true
			continue
		}
		if handledLast && strings.HasPrefix(a, "--") {
			if len(options) > 0 {
				options = append(options, '\n')
			}
			options = append(options, a[2:]...)
			options = append(options, ' ')
			toks, _ := splitArgs(a)
			if len(toks) != 1 {
				// "--port 6380" as one argument carries its value.
				handledLast = true
				continue
			}
			handledLast = false
			nextIsOption := j+1 < len(args) && strings.HasPrefix(args[j+1], "--")
			last := j == len(args)-1
			switch {
			case nextIsOption && strings.EqualFold(a, "--save"):
				options = append(options, `""`...)
				handledLast = true
			case last && strings.EqualFold(a, "--save"):
				options = append(options, `""`...)
			case nextIsOption && strings.EqualFold(a, "--sentinel"):
				handledLast = true
			}
			continue
		}
		options = appendRepr(options, a)
		options = append(options, ' ')
		handledLast = true
	}
	return options
}

// readConfigFiles reads a configuration file, or every file matching it if
// it contains glob characters (no match is not an error, so an empty conf.d
// can be included).
func readConfigFiles(path string) ([]byte, error) {
	if strings.ContainsAny(path, "*?[") {
		matches, _ := filepath.Glob(path)
		var out []byte
		for _, m := range matches {
			b, err := os.ReadFile(m)
			if err != nil {
				return nil, &FileError{Path: m, Err: err}
			}
			out = append(out, b...)
		}
		return out, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return b, nil
}

// deprecatedDirectives are accepted and ignored with exactly this many
// words (config.c deprecated_configs).
var deprecatedDirectives = map[string]int{
	"list-max-ziplist-entries": 2,
	"list-max-ziplist-value":   2,
	"lua-replicate-commands":   2,
}

// loadString is loadServerConfigFromString (config.c).
func (c *Config) loadString(content string, ls *loadState) error {
	lines := strings.Split(content, "\n")
	for i, raw := range lines {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		fatal := func(reason string) error {
			return &FatalError{Line: i + 1, Text: line, Reason: reason}
		}
		argv, ok := splitArgs(line)
		if !ok {
			return fatal("Unbalanced quotes in configuration line")
		}
		if len(argv) == 0 {
			continue
		}
		name := strings.ToLower(argv[0])

		if e := c.lookup(name); e != nil {
			p := e.p
			if p.flags&fMultiArg == 0 && len(argv) != 2 {
				return fatal("wrong number of arguments")
			}
			args := argv[1:]
			if p.flags&fMultiArg != 0 && len(argv) == 2 && argv[1] != "" {
				// --save "900 1" style: one argument holding several.
				if args, ok = splitArgs(argv[1]); !ok {
					args = nil
				}
			}
			v, reason := p.kind.parse(c, args, ls)
			if reason != "" {
				return fatal(reason)
			}
			p.kind.store(c, v)
			continue
		}
		if n, ok := deprecatedDirectives[name]; ok && n == len(argv) {
			continue
		}

		var d *Directive
		switch {
		case name == "include" && len(argv) == 2:
			if ls.depth >= maxIncludeDepth {
				return fatal("include nesting too deep")
			}
			if err := c.loadInclude(argv[1], ls); err != nil {
				return err
			}
		case name == "rename-command" && len(argv) == 3,
			name == "user" && len(argv) >= 2,
			name == "loadmodule" && len(argv) >= 2:
			d = &Directive{Name: name, Args: argv[1:], Line: i + 1, Text: line}
		case strings.Contains(name, "."):
			if len(argv) < 2 {
				return fatal("Module config specified without value")
			}
			d = &Directive{Name: name, Args: argv[1:], Line: i + 1, Text: line}
		case name == "sentinel":
			if len(argv) != 1 {
				return fatal("sentinel directive while not in sentinel mode")
			}
		default:
			return fatal("Bad directive or wrong number of arguments")
		}
		if d != nil {
			if ls.opts.Directive != nil {
				if err := ls.opts.Directive(*d); err != nil {
					return fatal(err.Error())
				}
			}
			c.directives = append(c.directives, *d)
		}
	}

	if logfile := c.LogFile.Load(); logfile != "" {
		// Like Redis, check now that the log file can be opened. Redis has
		// chdir()ed to dir by now, so a relative path is relative to it.
		if !filepath.IsAbs(logfile) {
			logfile = filepath.Join(c.Dir.Load(), logfile)
		}
		f, err := os.OpenFile(logfile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
		if err != nil {
			return &FatalError{Reason: "Can't open the log file: " + strerror(err)}
		}
		f.Close()
	}
	if c.ClusterEnabled.Load() && c.ReplicaOf.Load().Host != "" {
		return &FatalError{Reason: "replicaof directive not allowed in cluster mode"}
	}
	return nil
}

// loadInclude loads an included file with its own line numbering. As in
// Redis, once an include has been read, later save lines each replace the
// save points instead of adding to them (reading_config_file is reset).
func (c *Config) loadInclude(path string, ls *loadState) error {
	// Redis has chdir()ed to dir by now: relative paths are relative to it.
	full := path
	if !filepath.IsAbs(full) {
		full = filepath.Join(c.Dir.Load(), full)
	}
	b, err := readConfigFiles(full)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) && fe.Path == full {
			fe.Path = path
		}
		return err
	}
	ls.depth++
	err = c.loadString(string(b), ls)
	ls.depth--
	ls.readingFile = false
	return err
}

// errNoConfigFile is CONFIG REWRITE's reply without a configuration file.
var errNoConfigFile = errors.New("ERR The server is running without a config file")

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
