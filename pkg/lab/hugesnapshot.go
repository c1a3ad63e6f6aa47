package lab

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/openrpki/validator/pkg/rrdp"
)

// Fault huge-snapshot serves, in place of a publication server's snapshot,
// the real snapshot followed by hugeExtraObjects small objects, generated
// on the fly for every request and never written to disk. The notification
// lists it with its true SHA-256 and no deltas, so the snapshot is
// well-formed, complete and verifiable: only a size limit can stop it.
const (
	// hugeExtraObjects is one more than the objects-per-repository limit
	// of pkg/cache (cache.MaxRepoObjects, 1,000,000), whatever the real
	// snapshot holds. At about 85 bytes of XML each they add some 85 MB.
	hugeExtraObjects = 1_000_001
	// hugePadding is the content of each extra object: the DER of an
	// empty-looking SEQUENCE { INTEGER 0, INTEGER 0 }, in base64.
	hugePadding = "MAYCAQACAQA="
)

// hugeSums holds the SHA-256 of each padded snapshot, by the file of the
// real one, computed when a notification first names it.
type hugeSums struct {
	mu   sync.Mutex
	sums map[string][32]byte
}

// sum returns the SHA-256 of the padded version of snapshot file.
func (h *hugeSums) sum(file, prefix string) ([32]byte, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.sums[file]; ok {
		return s, nil
	}
	d := sha256.New()
	if err := writeHugeSnapshot(d, file, prefix); err != nil {
		return [32]byte{}, err
	}
	if h.sums == nil {
		h.sums = map[string][32]byte{}
	}
	h.sums[file] = [32]byte(d.Sum(nil))
	return h.sums[file], nil
}

// hugePrefix is the rsync URI prefix of the extra objects of the
// publication server a request path belongs to.
func (l *Lab) hugePrefix(path string) string {
	module, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return l.Config.Endpoints.rsync(module + "/padding/")
}

// serveHugeNotification serves the notification with the padded snapshot's
// hash and without deltas, so that every relying party takes the snapshot.
func (l *Lab) serveHugeNotification(w http.ResponseWriter, r *http.Request, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	n, err := rrdp.ParseNotification(bytes.NewReader(data))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	rel := strings.TrimPrefix(n.Snapshot.URI, l.Config.Endpoints.HTTPS+"/")
	snapshot := filepath.Join(l.Dir, rrdpDir, filepath.FromSlash(rel))
	if n.Snapshot.Hash, err = l.huge.sum(snapshot, l.hugePrefix(r.URL.Path)); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	n.Deltas = nil
	rrdp.WriteNotification(w, n)
}

// serveHugeSnapshot streams the padded snapshot.
func (l *Lab) serveHugeSnapshot(w http.ResponseWriter, r *http.Request, file string) {
	if _, err := os.Stat(file); err != nil {
		http.NotFound(w, r)
		return
	}
	writeHugeSnapshot(w, file, l.hugePrefix(r.URL.Path))
}

// writeHugeSnapshot writes snapshot file with hugeExtraObjects objects
// named prefix<n>.roa before its closing tag.
func writeHugeSnapshot(w io.Writer, file, prefix string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	end := bytes.LastIndex(data, []byte("</snapshot>"))
	if end < 0 {
		return fmt.Errorf("lab: %s: no closing snapshot tag", file)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(data[:end])
	var line []byte
	for k := range hugeExtraObjects {
		line = append(line[:0], `  <publish uri="`...)
		line = append(line, prefix...)
		line = appendPadded(line, k, 7)
		line = append(line, `.roa">`+hugePadding+"</publish>\n"...)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	bw.Write(data[end:])
	return bw.Flush()
}

// appendPadded appends k in decimal with at least width digits.
func appendPadded(b []byte, k, width int) []byte {
	s := strconv.Itoa(k)
	for range width - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}
