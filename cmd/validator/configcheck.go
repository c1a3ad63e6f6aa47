package main

import (
	"errors"
	"fmt"
	"io"
)

// configCheckAbout is the help text of `validator config check`.
const configCheckAbout = `Builds the configuration as validator run does (defaults, --config file,
flags) and reads everything it names: the TAL files or folder, the SLURM
files, the RTR TLS certificate and key, the CA certificate and the cache
folder. Prints "configuration OK", or one line per problem and exits 1.`

// runConfig implements `validator config check [--config FILE] [flags]`.
func runConfig(args []string, stdout, stderr io.Writer) int {
	const usage = "usage: validator config check [--config FILE] [flags of validator run]"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprintln(stdout, usage)
		return 0
	}
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	cfg, _, code := daemonConfig("config check", args[1:], stdout, stderr)
	if cfg == nil {
		return code
	}
	_, err := readInputs(cfg)
	if err = errors.Join(err, checkServing(cfg)); err != nil {
		printError(stderr, "config check", err)
		return 1
	}
	fmt.Fprintln(stdout, "configuration OK")
	return 0
}

// isHelp reports whether a command's first argument asks for its usage.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}
