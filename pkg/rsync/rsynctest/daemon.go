package rsynctest

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Module is the name of the daemon's module.
const Module = "repo"

// Daemon is a running rsync daemon serving Dir as module Module.
type Daemon struct {
	// Dir is the module's root directory; tests write files under it.
	Dir string
	// Port is the loopback port the daemon listens on.
	Port   int
	cmd    *exec.Cmd
	exited chan struct{}
}

// Start runs a daemon for the duration of the test.
func Start(t testing.TB) *Daemon {
	t.Helper()
	base := t.TempDir()
	d := &Daemon{Dir: filepath.Join(base, "module")}
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for attempt := 0; attempt < 5; attempt++ {
		if err := d.start(base); err == nil {
			t.Cleanup(d.stop)
			return d
		} else if attempt == 4 {
			t.Fatalf("rsync daemon: %v", err)
		}
	}
	return nil
}

// start writes the config and starts the daemon on a free port.
func (d *Daemon) start(base string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	conf := filepath.Join(base, "rsyncd.conf")
	text := fmt.Sprintf("use chroot = no\nuid = %d\ngid = %d\npid file = %s\nlog file = %s\n[%s]\n  path = %s\n  read only = yes\n",
		os.Getuid(), os.Getgid(), filepath.Join(base, "rsyncd.pid"), filepath.Join(base, "rsyncd.log"), Module, d.Dir)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return err
	}
	os.Remove(filepath.Join(base, "rsyncd.pid"))
	cmd := exec.Command("rsync", "--daemon", "--no-detach", "--address=127.0.0.1", "--port="+strconv.Itoa(port), "--config="+conf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Pdeathsig fires when the thread that forked the child exits, not the
	// process, so the daemon is started and waited for on one locked
	// thread that lives exactly as long as the daemon.
	d.cmd, d.Port = cmd, port
	d.exited = make(chan struct{})
	started := make(chan error)
	go func() {
		runtime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			cmd.Wait()
		}
		close(d.exited)
	}()
	if err := <-started; err != nil {
		return err
	}
	// The port was free a moment ago; another test process may have taken
	// it since. The daemon exits when it cannot bind, so it is ours once it
	// greets us and is still running.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-d.exited:
			return fmt.Errorf("daemon exited (port %d taken?)", port)
		default:
		}
		if greets(port) {
			time.Sleep(50 * time.Millisecond)
			select {
			case <-d.exited:
				return fmt.Errorf("daemon exited (port %d taken?)", port)
			default:
				return nil
			}
		}
	}
	d.stop()
	return fmt.Errorf("daemon did not listen on port %d", port)
}

// greets reports whether an rsync daemon answers on port.
func greets(port int) bool {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 9)
	_, err = io.ReadFull(c, buf)
	return err == nil && string(buf) == "@RSYNCD: "
}

// stop kills the daemon's process group and waits for it.
func (d *Daemon) stop() {
	syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	<-d.exited
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// URI returns the rsync URI of path below the module.
func (d *Daemon) URI(path string) string {
	return fmt.Sprintf("rsync://127.0.0.1:%d/%s/%s", d.Port, Module, path)
}

// Write creates or replaces a file below the module root.
func (d *Daemon) Write(t testing.TB, rel string, data []byte) {
	t.Helper()
	p := filepath.Join(d.Dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
