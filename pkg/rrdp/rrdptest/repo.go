package rrdptest

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"

	"github.com/openrpki/validator/pkg/rrdp"
)

// Repo is an RRDP repository held in memory.
type Repo struct {
	// BaseURL is the https://host:port prefix of the file URIs; set it once
	// the server runs, before the first Commit.
	BaseURL string
	// Gzip serves files with Content-Encoding gzip when the client accepts it.
	Gzip bool
	// ETag serves ETag headers and answers 304 to matching If-None-Match.
	ETag bool

	mu        sync.Mutex
	session   string
	serial    uint64
	objects   map[string][]byte
	pending   []rrdp.Change
	deltas    []rrdp.DeltaRef
	files     map[string][]byte
	notify    []byte
	overrides map[string]http.HandlerFunc
	requests  map[string]int
}

// NewRepo returns an empty repository with a fresh session.
func NewRepo() *Repo {
	return &Repo{session: NewSessionID(), objects: map[string][]byte{}, files: map[string][]byte{},
		overrides: map[string]http.HandlerFunc{}, requests: map[string]int{}}
}

// NewSessionID returns a random version 4 UUID.
func NewSessionID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Put adds or replaces an object in the next serial.
func (r *Repo) Put(uri string, data []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := rrdp.Change{URI: uri, Data: append([]byte(nil), data...)}
	if old, ok := r.objects[uri]; ok {
		h := sha256.Sum256(old)
		c.Hash = &h
	}
	r.objects[uri] = c.Data
	r.pending = append(r.pending, c)
}

// Delete withdraws an object in the next serial.
func (r *Repo) Delete(uri string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old, ok := r.objects[uri]
	if !ok {
		return
	}
	h := sha256.Sum256(old)
	delete(r.objects, uri)
	r.pending = append(r.pending, rrdp.Change{URI: uri, Hash: &h, Withdraw: true})
}

// NewSession starts a new session at serial 1 on the next Commit, dropping
// the deltas (RFC 8182 §3.3.1).
func (r *Repo) NewSession() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.session, r.serial, r.deltas, r.pending = NewSessionID(), 0, nil, nil
}

// Session returns the current session and serial.
func (r *Repo) Session() (string, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.session, r.serial
}

// NotifyURI returns the notification URI.
func (r *Repo) NotifyURI() string { return r.BaseURL + "/notification.xml" }

// Commit publishes the pending changes as the next serial: a delta file
// (from serial 2 on), a new snapshot and a new notification.
func (r *Repo) Commit() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.serial++
	h := rrdp.Header{SessionID: r.session, Serial: r.serial}
	if r.serial > 1 {
		var buf bytes.Buffer
		if err := rrdp.WriteDelta(&buf, h, r.pending); err != nil {
			return err
		}
		ref := r.store(fmt.Sprintf("/%s/%d/delta.xml", r.session, r.serial), buf.Bytes())
		r.deltas = append(r.deltas, rrdp.DeltaRef{Serial: r.serial, FileRef: ref})
	}
	r.pending = nil
	snap, err := r.writeSnapshot(h)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	n := &rrdp.Notification{Header: h, Snapshot: snap, Deltas: r.deltas}
	if err := rrdp.WriteNotification(&buf, n); err != nil {
		return err
	}
	r.notify = buf.Bytes()
	return nil
}

// writeSnapshot writes and stores the snapshot of the current objects.
func (r *Repo) writeSnapshot(h rrdp.Header) (rrdp.FileRef, error) {
	uris := make([]string, 0, len(r.objects))
	for u := range r.objects {
		uris = append(uris, u)
	}
	sort.Strings(uris)
	var buf bytes.Buffer
	sw, err := rrdp.NewSnapshotWriter(&buf, h)
	if err != nil {
		return rrdp.FileRef{}, err
	}
	for _, u := range uris {
		sw.Publish(u, r.objects[u])
	}
	if err := sw.Close(); err != nil {
		return rrdp.FileRef{}, err
	}
	return r.store(fmt.Sprintf("/%s/%d/snapshot-%s.xml", r.session, r.serial, strconv.Itoa(len(uris))), buf.Bytes()), nil
}

// store keeps a file under path and returns its reference.
func (r *Repo) store(path string, b []byte) rrdp.FileRef {
	r.files[path] = b
	return rrdp.FileRef{URI: r.BaseURL + path, Hash: sha256.Sum256(b)}
}

// SetFile replaces the content served at path (for hostile tests).
func (r *Repo) SetFile(path string, b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if path == "/notification.xml" {
		r.notify = b
		return
	}
	r.files[path] = b
}

// Override serves path with h instead of the stored file.
func (r *Repo) Override(path string, h http.HandlerFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.overrides[path] = h
}

// Requests returns how many requests path received.
func (r *Repo) Requests(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[path]
}

// Notification returns the current notification file.
func (r *Repo) Notification() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.notify
}

// ServeHTTP implements http.Handler.
func (r *Repo) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests[req.URL.Path]++
	h, overridden := r.overrides[req.URL.Path]
	body, ok := r.files[req.URL.Path]
	if req.URL.Path == "/notification.xml" {
		body, ok = r.notify, r.notify != nil
	}
	gz, etag := r.Gzip, r.ETag
	r.mu.Unlock()
	if overridden {
		h(w, req)
		return
	}
	if !ok {
		http.NotFound(w, req)
		return
	}
	serve(w, req, body, gz, etag)
}

// serve writes body with optional gzip and ETag handling.
func serve(w http.ResponseWriter, req *http.Request, body []byte, gz, etag bool) {
	w.Header().Set("Content-Type", "application/rpki-updown")
	if etag {
		tag := fmt.Sprintf("%q", fmt.Sprintf("%x", sha256.Sum256(body))[:16])
		w.Header().Set("ETag", tag)
		if req.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if gz && req.Header.Get("Accept-Encoding") == "gzip" {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(body)
		zw.Close()
		return
	}
	w.Write(body)
}
