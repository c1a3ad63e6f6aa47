// Package rsync runs the system rsync binary to mirror an RPKI repository
// module into a directory of the cache, and walks the result safely.
//
// The command line is fixed (Runner.Args in run.go): recursive with times, --delete, no
// symlinks, devices or specials (they are simply not requested), a connect
// timeout (--contimeout), an I/O timeout (--timeout), a per-file size limit
// (--max-size) and a filter that only transfers RPKI file types. There is no
// -e and no remote shell: only rsync:// URIs are accepted, checked against a
// strict character set so that no URI can smuggle an option, a glob for the
// daemon or a path outside the module. The process runs with a clean
// environment (no RSYNC_* variables, no $HOME popt aliases), in its own
// process group, which is killed as a whole when the context ends; the
// target directory must lie under the configured root.
//
// May import: the standard library and go.uber.org/zap only.
package rsync
