package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// ErrNotFound marks a publication point or object the store does not hold.
var ErrNotFound = errors.New("cache: not found")

// Options configure a Store (STYLE habit 10).
type Options struct {
	// Logger receives recovery and garbage-collection messages; nil means
	// no logging. The store needs no clock: expiry is the engine's call.
	// It is a standard logger: the cache stays free of the network stack
	// that zap imports (pkg/logging bridges the daemon's zap logger).
	Logger *slog.Logger
	// Limits bound what an update may write; zero fields take limits.go.
	Limits Limits
}

// Store is an open cache directory. It holds an exclusive flock on the
// directory so that two validators cannot interleave writes.
type Store struct {
	root string
	log  *slog.Logger
	lim  Limits
	// atStage, set only by the crash tests (after Open), is called at
	// each stage of a commit and of SyncValid between which a crash
	// leaves a different state on disk ("segment", "compact", "temp
	// index.json", "index", "temp index", "valid").
	atStage func(stage string)
	lock    *os.File
	mu      sync.Mutex // guards repos and byDir
	// repos and byDir index the loaded repositories by id and directory.
	repos map[string]*Repo
	byDir map[string]*Repo
	vmu   sync.RWMutex // guards valid
	valid validIndex
}

// Open opens or creates a cache under dir and loads its valid index.
func Open(dir string, o Options) (*Store, error) {
	s := &Store{root: dir, log: o.Logger, lim: o.Limits.withDefaults(),
		repos: map[string]*Repo{}, byDir: map[string]*Repo{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, d := range []string{dir, s.rawDir(), s.validDir()} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("cache: %w", err)
		}
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return nil, fmt.Errorf("cache: %s is in use by another process: %w", dir, err)
	}
	s.lock = lock
	// Loaded first: repositories keep the segments it names.
	if err := s.loadValid(); err != nil {
		lock.Close()
		return nil, err
	}
	return s, nil
}

// Close persists the valid index if it changed since the last SyncValid,
// as promotions made durable one by one would be after a clean exit, and
// releases the directory lock. Repos must not be used afterwards.
func (s *Store) Close() error {
	err := s.SyncValid()
	if cerr := s.lock.Close(); err == nil {
		err = cerr
	}
	return err
}

// rawDir and validDir are the two stores' directories.
func (s *Store) rawDir() string   { return filepath.Join(s.root, "raw") }
func (s *Store) validDir() string { return filepath.Join(s.root, "valid") }

// Repo returns the raw store of the repository id: an RRDP notification
// URI or an rsync module URI (rsync://host/module/). The first call loads
// its index and removes files a crashed update left behind that no index
// names.
func (s *Store) Repo(id string) (*Repo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.repos[id]; ok {
		return r, nil
	}
	if id == "" || len(id) > MaxURILength {
		return nil, fmt.Errorf("cache: repository id %q: empty or too long", id)
	}
	name := dirName(id)
	r := &Repo{s: s, id: id, name: name, dir: filepath.Join(s.rawDir(), name)}
	if err := r.load(); err != nil {
		return nil, err
	}
	s.repos[id], s.byDir[name] = r, r
	return r, nil
}

// dirName derives a repository's directory from its id: a readable host
// part restricted to [a-z0-9.-] plus a hash of the whole id. No byte of the
// id reaches the file system unfiltered, so no id can name a path outside
// the cache.
func dirName(id string) string {
	host := id
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexAny(host, "/:"); i >= 0 {
		host = host[:i]
	}
	var b strings.Builder
	for _, c := range strings.ToLower(host) {
		if b.Len() < 64 && (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			b.WriteRune(c)
		}
	}
	sum := sha256.Sum256([]byte(id))
	return strings.Trim(b.String(), ".") + "-" + hex.EncodeToString(sum[:8])
}

// SplitURI splits an object URI into its publication point (ending in "/")
// and file name, checking it as pkg/rrdp does: rsync scheme, printable
// ASCII, no empty, "." or ".." segment.
func SplitURI(uri string) (point, name string, err error) {
	rest, ok := strings.CutPrefix(uri, "rsync://")
	if !ok || len(uri) > MaxURILength {
		return "", "", fmt.Errorf("cache: URI %q: not rsync:// or too long", uri)
	}
	for i := 0; i < len(uri); i++ {
		if c := uri[i]; c <= 0x20 || c >= 0x7f || c == '\\' {
			return "", "", fmt.Errorf("cache: URI %q: forbidden byte 0x%02x", uri, c)
		}
	}
	segs := 0
	for seg := range strings.SplitSeq(rest, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", "", fmt.Errorf("cache: URI %q: empty, . or .. segment", uri)
		}
		segs++
	}
	if segs < 3 {
		return "", "", fmt.Errorf("cache: URI %q: no host, module and name", uri)
	}
	i := strings.LastIndexByte(uri, '/')
	return uri[:i+1], uri[i+1:], nil
}

// WorkDir returns, creating it, the working directory of repository id
// under the store's work root: rsync mirrors a module there, and the
// scheduler imports the result into the raw store. The name is derived as
// for raw repositories, so no id can point outside the work root.
func (s *Store) WorkDir(id string) (string, error) {
	if id == "" || len(id) > MaxURILength {
		return "", fmt.Errorf("cache: work dir for %q: empty or too long id", id)
	}
	d := filepath.Join(s.WorkRoot(), dirName(id))
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", fmt.Errorf("cache: %w", err)
	}
	return d, nil
}

// WorkRoot returns the directory holding every work directory; it is the
// root the rsync runner confines its targets to.
func (s *Store) WorkRoot() string { return filepath.Join(s.root, "work") }
