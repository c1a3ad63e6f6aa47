package lab

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// rrdpDir holds the RRDP files of each publication server (see publish.go).
const rrdpDir = "rrdp"

// Server serves a lab: HTTPS for RRDP and TA certificates, and a real rsync
// daemon (Debian's rsync --daemon) with one module per publication server.
type Server struct {
	lab   *Lab
	https *http.Server
	rsync *exec.Cmd
	done  chan error

	closeOnce sync.Once
	closeErr  error
}

// Open reads an existing lab from its directory.
func Open(dir string) (*Lab, error) {
	data, err := os.ReadFile(filepath.Join(dir, configFile))
	if err != nil {
		return nil, err
	}
	var cfg Config
	if err := jsonUnmarshalStrict(data, &cfg); err != nil {
		return nil, fmt.Errorf("lab: %s: %w", configFile, err)
	}
	l, err := open(dir, cfg)
	if err != nil {
		return nil, err
	}
	return l, l.checkKeys()
}

// checkKeys makes sure the keys rebuilt from the lab's primes are those it
// was generated with (a lab whose primes were lost cannot be re-signed):
// each TA's key must match its TAL.
func (l *Lab) checkKeys() error {
	for _, root := range l.Plan.TARoots {
		t, err := tal.LoadFile(filepath.Join(l.Dir, talDir, l.Plan.CAs[root].Name+".tal"))
		if err != nil {
			return err
		}
		if !bytes.Equal(t.SPKI, l.b.caKey(root).SPKI()) {
			return l.lostKeys()
		}
	}
	// The last CA's manifest EE key has about the highest index in use.
	last := len(l.Plan.CAs) - 1
	der, err := os.ReadFile(filepath.Join(l.Dir, rsyncDir, l.Plan.ppDir(last), l.Plan.mftName(last)))
	if err != nil {
		return err
	}
	mft, err := x509rpki.ParseManifest(der)
	if err != nil {
		return fmt.Errorf("lab: %s: %w", l.Dir, err)
	}
	ee, err := l.b.key(l.b.eeBase[last])
	if err != nil || !bytes.Equal(mft.Signed.EE.RawSPKI, ee.SPKI()) {
		return l.lostKeys()
	}
	return nil
}

func (l *Lab) lostKeys() error {
	return fmt.Errorf("lab: %s: the keys rebuilt from %s are not the lab's (its primes were lost): generate it again",
		l.Dir, filepath.Join(stateDir, "primes.txt"))
}

// Serve starts the HTTPS server and the rsync daemon on the lab's endpoints.
// httpsLn, when not nil, is used instead of listening on the HTTPS endpoint
// (tests listen first to learn a free port, then generate).
func (l *Lab) Serve(httpsLn net.Listener) (*Server, error) {
	tlsCfg, err := l.serverTLS()
	if err != nil {
		return nil, err
	}
	if httpsLn == nil {
		if httpsLn, err = net.Listen("tcp", hostPort(l.Config.Endpoints.HTTPS)); err != nil {
			return nil, err
		}
	}
	s := &Server{lab: l, done: make(chan error, 1)}
	// stop ends the requests a fault holds open (ta-stall) once the
	// server shuts down, which would otherwise wait for them.
	stop := make(chan struct{})
	s.https = &http.Server{Handler: l.handler(stop), TLSConfig: tlsCfg,
		ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}
	var once sync.Once
	s.https.RegisterOnShutdown(func() { once.Do(func() { close(stop) }) })
	go func() { s.done <- s.https.Serve(tls.NewListener(httpsLn, tlsCfg)) }()
	if err := s.startRsync(); err != nil {
		s.https.Close()
		return nil, err
	}
	return s, nil
}

// handler serves /ta/ from the rsync tree and everything else from the
// RRDP tree; stop closes when the server shuts down.
func (l *Lab) handler(stop <-chan struct{}) http.Handler {
	ta := http.StripPrefix("/"+taModule+"/", http.FileServer(http.Dir(filepath.Join(l.Dir, rsyncDir, taModule))))
	rrdp := http.FileServer(http.Dir(filepath.Join(l.Dir, rrdpDir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/"+taModule+"/") {
			if l.stalledTA(r.URL.Path) {
				stall(w, r, stop)
				return
			}
			ta.ServeHTTP(w, r)
			return
		}
		if fault := l.hostileFault(r.URL.Path); fault != "" {
			l.serveHostile(w, r, fault)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/notification.xml") {
			l.serveNotification(w, r)
			return
		}
		rrdp.ServeHTTP(w, r)
	})
}

// serveNotification serves a notification file with a strong ETag of its
// content and no Last-Modified: a file rewritten within the same second
// must not look unchanged to a conditional GET.
func (l *Lab) serveNotification(w http.ResponseWriter, r *http.Request) {
	data, err := os.ReadFile(filepath.Join(l.Dir, rrdpDir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/"))))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(data)
	w.Header().Set("ETag", fmt.Sprintf(`"%x"`, sum[:12]))
	w.Header().Set("Content-Type", "application/xml")
	http.ServeContent(w, r, "notification.xml", time.Time{}, bytes.NewReader(data))
}

// hostileFault returns the RRDP fault of the publication server a path
// belongs to, if any.
func (l *Lab) hostileFault(path string) string {
	for repo, fault := range l.hostile {
		if strings.HasPrefix(path, "/"+repoModule(repo)+"/") {
			return fault
		}
	}
	return ""
}

// startRsync writes an rsyncd.conf with one read-only module per folder of
// the rsync tree and starts the daemon in the foreground.
func (s *Server) startRsync() error {
	l := s.lab
	conf := filepath.Join(l.Dir, "rsyncd.conf")
	var b strings.Builder
	fmt.Fprintf(&b, "use chroot = no\nread only = yes\nlist = yes\nuid = %d\ngid = %d\npid file = %s\n",
		os.Getuid(), os.Getgid(), filepath.Join(l.Dir, "rsyncd.pid"))
	mods, err := os.ReadDir(filepath.Join(l.Dir, rsyncDir))
	if err != nil {
		return err
	}
	for _, m := range mods {
		if m.IsDir() {
			fmt.Fprintf(&b, "[%s]\npath = %s\n", m.Name(), filepath.Join(l.Dir, rsyncDir, m.Name()))
		}
	}
	if err := writeFile(conf, []byte(b.String())); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(hostPort(l.Config.Endpoints.Rsync))
	if err != nil {
		return err
	}
	s.rsync = exec.Command("rsync", "--daemon", "--no-detach", "--config="+conf, "--address="+host, "--port="+port)
	s.rsync.Stderr = os.Stderr
	s.rsync.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.rsync.Start(); err != nil {
		return fmt.Errorf("lab: starting rsync daemon: %w", err)
	}
	return waitListening(net.JoinHostPort(host, port), 5*time.Second)
}

// waitListening polls until something accepts connections on addr.
func waitListening(addr string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lab: nothing listens on %s: %w", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Close stops both servers; closing again does nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.https.Shutdown(ctx)
	if s.rsync != nil && s.rsync.Process != nil {
		syscall.Kill(-s.rsync.Process.Pid, syscall.SIGTERM)
		s.rsync.Wait()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// hostPort returns the host:port of a URL such as "https://127.0.0.1:8443".
func hostPort(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	host, _, _ := strings.Cut(rest, "/")
	return host
}
