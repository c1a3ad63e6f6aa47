package cache

import "errors"

// ErrLimit marks an update refused because it breaks one of the limits
// below: the update is dropped and the repository keeps its last committed
// state (its fetch fails; other repositories are not affected).
var ErrLimit = errors.New("cache: limit exceeded")

// Limits enforced while an update is written (STYLE habit 3: where data
// enters). Options.Limits may lower or raise the first five per store;
// zero fields take these defaults. The peers' figures are given for
// comparison. The largest real snapshot was about 530 MB in 2025 (FORT's
// count; 150 MB in 2021), some 200,000 objects of 2-3 KB once base64 and
// XML are taken off; the lab's global preset, modelled on the whole
// production RPKI, has 40,000 CAs, 200,000 ROAs and 10,000 ASPAs, about
// 330,000 objects in all.
const (
	// MaxObjectSize bounds one object, checked by Publish. rpki-client
	// refuses files over 8 MB (extern.h MAX_FILE_SIZE 8000000), Routinator
	// over 20 MB by default (max-object-size).
	MaxObjectSize = 8_000_000
	// MaxPointBytes bounds the content of one publication point, checked
	// as its pack is written. A manifest lists at most 100,000 files in
	// rpki-client (MAX_MANIFEST_ENTRIES), which at 2.5 KB a ROA is 250 MB;
	// real points hold a few MB at most. The engine reads a point whole, so
	// this also bounds what one point costs it in memory.
	MaxPointBytes = 256 << 20
	// MaxPointFiles bounds the files of one publication point, checked as
	// its pack is written: twice rpki-client's MAX_MANIFEST_ENTRIES, since
	// files the manifest does not list count too.
	MaxPointFiles = 200_000
	// MaxRepoObjects bounds the objects of one repository, checked by
	// every Publish: about five times the largest real snapshot and three
	// times the whole RPKI of today. rpki-client bounds the CA certificates
	// of a whole run to 1,000,000 (CERTID_MAX).
	MaxRepoObjects = 1_000_000
	// MaxRepoPoints bounds the publication points of one repository,
	// checked as the index of an update is built: the index is held in
	// memory, about 150 bytes a point. Every CA has its own point, and the
	// whole RPKI has about 40,000 CAs (the global preset), so one
	// repository with 100,000 points is more than twice all of them.
	MaxRepoPoints = 100_000
)

// Limits of the on-disk format, checked when a file is read back: no
// configured limit can exceed them, so everything written stays readable.
const (
	// MaxPackSize bounds one publication point's pack when it is read.
	MaxPackSize = 1 << 30
	// MaxPackEntries bounds the files of one pack when it is read.
	MaxPackEntries = 1_000_000
	// MaxStoredObjectSize bounds one object of a pack when it is read.
	MaxStoredObjectSize = 64 << 20
	// MaxIndexSize bounds a repository index file when it is read.
	MaxIndexSize = 256 << 20
	// MaxURILength bounds a stored URI (rpki-client MAX_URI_LENGTH).
	MaxURILength = 2048
	// MaxStateSize bounds the fetch state saved with a repository.
	MaxStateSize = 1 << 20
)

// Limits are the limits one Store enforces on updates.
type Limits struct {
	// Object bounds one object, in bytes.
	Object int
	// PointBytes bounds the content of one publication point, in bytes.
	PointBytes int64
	// PointFiles bounds the files of one publication point.
	PointFiles int
	// RepoObjects bounds the objects of one repository.
	RepoObjects int
	// RepoPoints bounds the publication points of one repository.
	RepoPoints int
}

// DefaultLimits returns the limits of limits.go.
func DefaultLimits() Limits {
	return Limits{Object: MaxObjectSize, PointBytes: MaxPointBytes, PointFiles: MaxPointFiles,
		RepoObjects: MaxRepoObjects, RepoPoints: MaxRepoPoints}
}

// withDefaults fills zero fields with the defaults and caps every field at
// what the format can read back.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.Object <= 0 {
		l.Object = d.Object
	}
	if l.PointBytes <= 0 {
		l.PointBytes = d.PointBytes
	}
	if l.PointFiles <= 0 {
		l.PointFiles = d.PointFiles
	}
	if l.RepoObjects <= 0 {
		l.RepoObjects = d.RepoObjects
	}
	if l.RepoPoints <= 0 {
		l.RepoPoints = d.RepoPoints
	}
	// A pack adds at most a few bytes of framing per file and the point's
	// URI to its content; half of MaxPackSize leaves room for both.
	l.PointBytes = min(l.PointBytes, MaxPackSize/2)
	l.PointFiles = min(l.PointFiles, MaxPackEntries)
	l.Object = min(l.Object, MaxStoredObjectSize)
	return l
}
