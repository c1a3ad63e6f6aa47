package httpapi

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Data documents (the output formats, json-delta) are written straight
// from the published table to the client, gzipped on the fly when the
// client accepts it: nothing is kept per format or per request beyond a
// write buffer and a compressor, both pooled. Their number in flight is
// bounded (MaxStreams), so their memory is too: about 1.1 MB each with
// gzip (the compressor's window and hash chains), 64 KiB without.

// gzipPool keeps compressors between requests: making one allocates
// about a megabyte.
var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, GzipLevel)
	return zw
}}

// slots bounds the documents being written at once.
type slots chan struct{}

// acquire waits for a slot for at most StreamSlotWait (or until the
// request ends) and returns its release, or nil when none came free.
func (s slots) acquire(ctx context.Context) func() {
	release := func() { <-s }
	select {
	case s <- struct{}{}:
		return release
	default:
	}
	t := time.NewTimer(StreamSlotWait)
	defer t.Stop()
	select {
	case s <- struct{}{}:
		return release
	case <-ctx.Done():
	case <-t.C:
	}
	return nil
}

// stream writes a document to w, gzipped when gz is set, in a slot.
// Headers must be set; the status is 200. A failure once the body has
// started (the client went away) can only be logged.
func (a *api) stream(w http.ResponseWriter, r *http.Request, gz bool, what string, write func(io.Writer) error) {
	release := a.streams.acquire(r.Context())
	if release == nil {
		w.Header().Del("Content-Encoding")
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "httpapi: too many documents being sent at once; retry shortly")
		return
	}
	defer release()
	var out io.Writer = w
	var zw *gzip.Writer
	if gz {
		zw = gzipPool.Get().(*gzip.Writer)
		zw.Reset(w)
		defer gzipPool.Put(zw)
		out = zw
	}
	err := write(out)
	if zw != nil && err == nil {
		err = zw.Close()
	}
	if err != nil {
		a.o.Logger.Debug("document not sent in full", zap.String("what", what), zap.Error(err))
	}
}

// notModified reports whether a GET with these conditions may answer 304
// (RFC 9110 §13.1.2, §13.1.3): If-None-Match names the current tag (weak
// comparison, "*" matches), or, without If-None-Match, If-Modified-Since
// is not before the last change.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 {
		for _, v := range inm {
			for tag := range strings.SplitSeq(v, ",") {
				tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
				if tag == "*" || tag == strings.TrimPrefix(etag, "W/") {
					return true
				}
			}
		}
		return false
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	return err == nil && !modified.IsZero() && !modified.Truncate(time.Second).After(ims)
}

// acceptsGzip reports whether an Accept-Encoding value accepts gzip: gzip
// (or x-gzip) listed with a non-zero quality, or else "*" with a non-zero
// quality (RFC 9110 §12.5.3: an explicit entry beats the wildcard).
func acceptsGzip(header string) bool {
	explicit, wildcard := -1, -1 // -1 absent, 0 refused, 1 accepted
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		ok := 1
		if zeroQuality(params) {
			ok = 0
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			explicit = ok
		case "*":
			wildcard = ok
		}
	}
	if explicit >= 0 {
		return explicit == 1
	}
	return wildcard == 1
}

// zeroQuality reports whether params holds q=0 (or 0.0, 0.000).
func zeroQuality(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			return strings.Trim(strings.TrimSpace(val), "0.") == ""
		}
	}
	return false
}
