package httpapi

import (
	"bytes"
	"net/http"
	"strings"

	"go.uber.org/zap"
)

// serveFormat serves format i of the current view. http.ServeContent
// handles If-None-Match (304), HEAD and Range; the body is the one encoded
// per view, gzipped when the client accepts it (RFC 9110 §12.5.3).
func (a *api) serveFormat(w http.ResponseWriter, r *http.Request, i int) {
	st, v := a.current(w)
	if v == nil {
		return
	}
	e := v.encodedFormat(i)
	if e.failure != "" {
		a.o.Logger.Error("encode failed", zap.String("format", formatNames[i]), zap.String("error", e.failure))
		writeError(w, http.StatusInternalServerError, e.failure)
		return
	}
	h := w.Header()
	h.Set("Content-Type", e.contentType)
	h.Set("Vary", "Accept-Encoding")
	h.Set("Cache-Control", "no-cache")
	body, tag := e.plain, e.etag
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body, tag = e.gz, e.etagGz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", tag)
	http.ServeContent(w, r, "", st.Changed, bytes.NewReader(body))
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
