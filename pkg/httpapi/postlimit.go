package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// postLimiter bounds the POST requests handled at once. Each may hold a
// body of MaxBulkBodyBytes, its parsed routes and its answer (about 10 MB
// for a full bulk request), so without a bound 100 concurrent 2 MiB POSTs
// took the heap to 648 MB (issue 8). A request waits up to PostQueueWait
// for a slot, then is answered 503 with Retry-After; a body announced
// larger than the limit is answered 413 before it is read.
type postLimiter struct {
	slots chan struct{}
	wait  time.Duration
}

func newPostLimiter(n int, wait time.Duration) *postLimiter {
	return &postLimiter{slots: make(chan struct{}, n), wait: wait}
}

// wrap applies the limit to a POST handler.
func (l *postLimiter) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBulkBodyBytes {
			writeError(w, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("httpapi: request body too large: %d bytes, limit %d", r.ContentLength, MaxBulkBodyBytes))
			return
		}
		if !l.acquire(r) {
			w.Header().Set("Retry-After", strconv.Itoa(int(PostRetryAfter/time.Second)))
			writeError(w, http.StatusServiceUnavailable,
				fmt.Sprintf("httpapi: %d requests with a body are being answered; retry later", cap(l.slots)))
			return
		}
		defer func() { <-l.slots }()
		h(w, r)
	}
}

// acquire takes a slot, waiting up to the queue wait or until the client
// goes away.
func (l *postLimiter) acquire(r *http.Request) bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return true
	case <-t.C:
	case <-r.Context().Done():
	}
	return false
}

// readBody reads a POST body of at most MaxBulkBodyBytes into a buffer
// sized from Content-Length, so that a large body is not copied over and
// over while it grows. Over the limit, the error is *http.MaxBytesError.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if n := r.ContentLength; n > 0 && n <= MaxBulkBodyBytes {
		buf.Grow(int(n) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxBulkBodyBytes))
	return buf.Bytes(), err
}

// bodyErrorCode is 413 for a body over the limit, else 400.
func bodyErrorCode(err error) int {
	if errors.As(err, new(*http.MaxBytesError)) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}
