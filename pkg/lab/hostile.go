package lab

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// serveHostile answers a request to a publication server that carries one
// of the repository faults of hostileCatalogue.
func (l *Lab) serveHostile(w http.ResponseWriter, r *http.Request, fault string) {
	file := filepath.Join(l.Dir, rrdpDir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/")))
	isNotify := strings.HasSuffix(r.URL.Path, "/notification.xml")
	switch {
	case fault == "rrdp-slow":
		drip(w, r, file)
	case fault == "rrdp-doctype" && isNotify:
		serveEntityBomb(w, file)
	case fault == "rrdp-cross-origin" && isNotify:
		serveCrossOrigin(w, file, l.Config.Endpoints.HTTPS)
	case fault == "rrdp-huge" && !isNotify:
		serveEndless(w, r)
	case fault == "rrdp-gzip-bomb" && !isNotify:
		serveGzipBomb(w, r)
	case fault == "huge-snapshot" && isNotify:
		l.serveHugeNotification(w, r, file)
	case fault == "huge-snapshot" && strings.HasSuffix(r.URL.Path, "/snapshot.xml"):
		l.serveHugeSnapshot(w, r, file)
	default:
		http.ServeFile(w, r, file)
	}
}

// drip sends a file one byte per second until the client gives up.
func drip(w http.ResponseWriter, r *http.Request, file string) {
	data, err := os.ReadFile(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	flusher, _ := w.(http.Flusher)
	for _, b := range data {
		if _, err := w.Write([]byte{b}); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// serveEntityBomb prefixes the notification with a "billion laughs"
// DOCTYPE; a parser that expanded it would need gigabytes.
func serveEntityBomb(w http.ResponseWriter, file string) {
	data, _ := os.ReadFile(file)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n" + `<!DOCTYPE notification [<!ENTITY l0 "lol">`)
	for i := 1; i < 10; i++ {
		b.WriteString(`<!ENTITY l` + string(rune('0'+i)) + ` "`)
		for range 10 {
			b.WriteString(`&l` + string(rune('0'+i-1)) + `;`)
		}
		b.WriteString(`">`)
	}
	b.WriteString("]>\n")
	b.Write(bytes.Replace(data, []byte("<notification "), []byte("<notification a=\"&l9;\" "), 1))
	w.Write([]byte(b.String()))
}

// serveCrossOrigin rewrites the notification's snapshot and delta URIs to
// another origin (the same server under the name localhost), which RFC
// 9674 forbids.
func serveCrossOrigin(w http.ResponseWriter, file, base string) {
	data, _ := os.ReadFile(file)
	other := strings.Replace(base, "127.0.0.1", "localhost", 1)
	w.Write(bytes.ReplaceAll(data, []byte(`uri="`+base), []byte(`uri="`+other)))
}

// serveEndless sends a snapshot, with the session and serial its path
// names, whose single publish element never ends.
func serveEndless(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(r.URL.Path, "/") // "", repoN, session, serial, file
	if len(parts) != 5 {
		http.NotFound(w, r)
		return
	}
	w.Write([]byte(`<snapshot xmlns="http://www.ripe.net/rpki/rrdp" version="1" session_id="` + parts[2] +
		`" serial="` + parts[3] + `"><publish uri="rsync://127.0.0.1/x/huge.roa">`))
	chunk := bytes.Repeat([]byte("QUFB"), 16<<10)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// serveGzipBomb sends a gzip-encoded body that expands without end (1 KiB
// of gzip per MiB of zeros) for as long as the client reads.
func serveGzipBomb(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Encoding", "gzip")
	zw := gzip.NewWriter(w)
	zeros := make([]byte, 1<<20)
	for r.Context().Err() == nil {
		if _, err := zw.Write(zeros); err != nil {
			return
		}
	}
	zw.Close()
}
