package httpapi

import (
	"net/http"
	"time"
)

// observe wraps mux to report each request to o. The mux sets
// r.Pattern on the request it is given, so the label is read after it
// served.
func observe(mux *http.ServeMux, o RequestObserver) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		cw := &countingWriter{ResponseWriter: w, code: http.StatusOK}
		mux.ServeHTTP(cw, r)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "other"
		}
		o.HTTPRequest(pattern, cw.code, time.Since(start), cw.bytes)
	})
}

// countingWriter records the status code and body bytes of a response.
type countingWriter struct {
	http.ResponseWriter
	code  int
	bytes int64
	wrote bool
}

// WriteHeader records the code.
func (c *countingWriter) WriteHeader(code int) {
	if !c.wrote {
		c.code, c.wrote = code, true
	}
	c.ResponseWriter.WriteHeader(code)
}

// Write counts the body bytes.
func (c *countingWriter) Write(b []byte) (int, error) {
	c.wrote = true
	n, err := c.ResponseWriter.Write(b)
	c.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
