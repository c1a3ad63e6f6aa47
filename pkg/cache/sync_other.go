//go:build !linux

package cache

// packSync makes the packs of one commit durable where syncfs(2) does not
// exist: an fsync of every pack, then of the directory. The index is
// written only after sync returns, as on Linux (sync_linux.go).
type packSync struct {
	dir   string
	paths []string
}

// newPackSync starts a commit's packs in dir.
func newPackSync(dir string) (*packSync, error) { return &packSync{dir: dir}, nil }

// added records a pack written in the directory.
func (p *packSync) added(path string) { p.paths = append(p.paths, path) }

// sync makes every pack added so far durable.
func (p *packSync) sync() error { return syncEach(p.dir, p.paths) }

// close releases nothing.
func (p *packSync) close() {}
