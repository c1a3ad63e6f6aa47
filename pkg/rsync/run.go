package rsync

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// Options configure a Runner (STYLE habit 10).
type Options struct {
	// Logger receives one line per run; nil means no logging.
	Logger *zap.Logger
	// Binary is the rsync program; empty means "rsync" from /usr/bin:/bin.
	Binary string
	// Root is the directory every target must lie under (the cache's work
	// directory). Required.
	Root string
	// ConnectTimeout is passed as --contimeout.
	ConnectTimeout time.Duration
	// IOTimeout is passed as --timeout.
	IOTimeout time.Duration
	// Timeout bounds a run when the context has no earlier deadline.
	Timeout time.Duration
	// MaxFileSize is passed as --max-size.
	MaxFileSize int64
}

// Runner runs rsync with fixed, safe arguments.
type Runner struct {
	o   Options
	log *zap.Logger
	bin string
}

// New checks the options and finds the binary.
func New(o Options) (*Runner, error) {
	if o.Root == "" || !filepath.IsAbs(o.Root) {
		return nil, fmt.Errorf("rsync: root %q must be an absolute directory", o.Root)
	}
	o.Root = filepath.Clean(o.Root)
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.IOTimeout <= 0 {
		o.IOTimeout = DefaultIOTimeout
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = MaxFileSize
	}
	bin := o.Binary
	if bin == "" {
		bin = "rsync"
	}
	if !filepath.IsAbs(bin) {
		for _, d := range []string{"/usr/bin", "/bin", "/usr/local/bin"} {
			if p := filepath.Join(d, bin); isExecutable(p) {
				bin = p
				break
			}
		}
	}
	if !isExecutable(bin) {
		return nil, fmt.Errorf("rsync: binary %q not found", bin)
	}
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	return &Runner{o: o, log: log.Named("rsync"), bin: bin}, nil
}

// isExecutable reports whether p is an executable regular file.
func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

// Result describes a finished run.
type Result struct {
	// Changed counts the items rsync reported as transferred or deleted
	// (--itemize-changes); zero means the target was already up to date.
	Changed int
	// Duration is the run's wall time.
	Duration time.Duration
}

// Args returns the argument list for mirroring uri into dir. It is fixed
// but for the timeouts and size, the checked URI and the target, and ends
// option parsing with "--" before them.
func (r *Runner) Args(u URI, dir string) []string {
	args := []string{
		"-rt", "--delete", "--prune-empty-dirs", "--no-motd", "--itemize-changes",
		"--no-links", "--no-devices", "--no-specials", "--no-owner", "--no-group",
		"--contimeout=" + seconds(r.o.ConnectTimeout),
		"--timeout=" + seconds(r.o.IOTimeout),
		"--max-size=" + strconv.FormatInt(r.o.MaxFileSize, 10),
		"--include=*/",
	}
	for _, ext := range FileTypes {
		args = append(args, "--include=*"+ext)
	}
	src := u.String()
	if !strings.HasSuffix(src, "/") {
		src += "/"
	}
	return append(args, "--exclude=*", "--", src, dir+"/")
}

// seconds formats a timeout for rsync, at least 1: rsync reads 0 as "no
// timeout", which a sub-second option must never become.
func seconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(d.Seconds())))
}

// Run mirrors the directory uri (a module or a directory below it) into
// dir, which must lie under the root. On a deadline the whole process group
// is killed.
func (r *Runner) Run(ctx context.Context, uri, dir string) (Result, error) {
	start := time.Now()
	u, err := ParseURI(uri)
	if err != nil {
		return Result{}, err
	}
	if err := r.checkTarget(dir); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	cmd := r.command(ctx, u, dir)
	stderr := &capBuffer{max: MaxStderr}
	cmd.Stderr = stderr
	lines := &lineCounter{}
	cmd.Stdout = lines
	err = cmd.Run()
	res := Result{Changed: lines.n, Duration: time.Since(start)}
	if err != nil {
		return res, r.runError(ctx, uri, err, stderr)
	}
	r.log.Debug("mirrored", zap.String("uri", uri), zap.Int("changed", res.Changed), zap.Duration("took", res.Duration))
	return res, nil
}

// command builds the exec.Cmd: clean environment, own process group that
// the cancel function kills as a whole, and death with the parent
// (Pdeathsig, which Linux ties to the forking thread: callers must not run
// Run from a goroutine that holds runtime.LockOSThread and then exits).
func (r *Runner) command(ctx context.Context, u URI, dir string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, r.bin, r.Args(u, dir)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=/nonexistent"}
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = waitDelay
	return cmd
}

// checkTarget requires dir to be an existing, real directory under the root.
func (r *Runner) checkTarget(dir string) error {
	clean := filepath.Clean(dir)
	rel, err := filepath.Rel(r.o.Root, clean)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") || !filepath.IsAbs(dir) {
		return fmt.Errorf("rsync: target %q is not under %s", dir, r.o.Root)
	}
	st, err := os.Lstat(clean)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("rsync: target %q is not a directory", dir)
	}
	return nil
}

// runError explains a failed run.
func (r *Runner) runError(ctx context.Context, uri string, err error, stderr *capBuffer) error {
	msg := lastMeaningfulLine(stderr.String())
	if ctx.Err() != nil {
		return fmt.Errorf("rsync: %s: killed after deadline: %w (%s)", uri, ctx.Err(), msg)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("rsync: %s: exit code %d (%s): %s", uri, ee.ExitCode(), exitMeaning(ee.ExitCode()), msg)
	}
	return fmt.Errorf("rsync: %s: %w", uri, err)
}

// exitMeaning names the rsync exit codes a fetch sees (rsync(1) EXIT VALUES).
func exitMeaning(code int) string {
	switch code {
	case 5:
		return "protocol start failed"
	case 10:
		return "socket I/O error"
	case 23:
		return "partial transfer"
	case 30:
		return "I/O timeout"
	case 35:
		return "connect timeout"
	}
	return "error"
}

// lineCounter counts, without keeping them, the --itemize-changes lines
// that report a content change: a transfer (<, >), a local change (c), a
// hard link (h) or a deletion (*deleting). Attribute-only lines (".") and
// messages such as "skipping non-regular file" are not changes.
type lineCounter struct {
	n       int
	midLine bool
}

// Write implements io.Writer.
func (l *lineCounter) Write(p []byte) (int, error) {
	for _, c := range p {
		if !l.midLine && strings.IndexByte("<>ch*", c) >= 0 {
			l.n++
		}
		l.midLine = c != '\n'
	}
	return len(p), nil
}

// capBuffer keeps the last max bytes written to it (at most 2·max held
// at once): what explains a failure is at the end of rsync's output.
type capBuffer struct {
	buf []byte
	max int
}

// Write implements io.Writer, dropping the oldest bytes past max.
func (c *capBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > c.max {
		p = p[len(p)-c.max:]
	}
	if len(c.buf)+len(p) > 2*c.max {
		keep := max(c.max-len(p), 0)
		c.buf = append(c.buf[:0], c.buf[len(c.buf)-keep:]...)
	}
	c.buf = append(c.buf, p...)
	return n, nil
}

// String returns the last max bytes written.
func (c *capBuffer) String() string {
	return string(c.buf[max(len(c.buf)-c.max, 0):])
}
