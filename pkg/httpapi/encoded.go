package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/openrpki/validator/pkg/output"
	"github.com/openrpki/validator/pkg/payload"
)

// The formats of `validator vrps`, served at /<name>.
var formatNames = [...]string{"json", "csv", "openbgpd", "bird"}

const numFormats = len(formatNames)

// encoded is one format of one View, kept in memory both plain and
// gzipped so that a request costs one copy of bytes, not a walk of the
// table (Routinator keeps its rendered outputs the same way).
type encoded struct {
	plain, gz            []byte
	etag, etagGz         string
	contentType, failure string
}

// encode renders format name of table t. The ETag is a hash of the body (RFC
// 9110 §8.8.3: a strong validator changes whenever the bytes do), so two
// runs with the same payload keep the same tag; the gzipped body is a
// different representation and gets its own tag.
func encode(name string, t *payload.Table) *encoded {
	e := &encoded{contentType: output.ContentType(name)}
	var b bytes.Buffer
	// About 100 bytes per JSON record: one allocation instead of a chain
	// of doublings for a 600k-VRP table.
	b.Grow(100*len(t.VRPs) + 64*len(t.ASPAs) + 4096)
	if err := output.Write(&b, name, t); err != nil {
		e.failure = fmt.Sprintf("httpapi: encode %s: %v", name, err)
		return e
	}
	e.plain = b.Bytes()
	sum := sha256.Sum256(e.plain)
	tag := hex.EncodeToString(sum[:12])
	e.etag = strconv.Quote(tag)
	e.etagGz = strconv.Quote(tag + "-gz")
	e.gz = gzipBytes(e.plain)
	return e
}

// gzipBytes compresses b at the default level, once per view and format.
func gzipBytes(b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) / 6)
	zw, _ := gzip.NewWriterLevel(&out, gzip.DefaultCompression)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}
