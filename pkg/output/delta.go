package output

import (
	"bufio"
	"encoding/base64"
	"io"
	"strconv"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

// DeltaDoc is one json-delta document (Routinator src/http/delta.rs): the
// whole payload (a reset) or what changed since a serial.
type DeltaDoc struct {
	// Session and Serial say which data the document brings the client
	// to; Session is written as a string, as Routinator does.
	Session uint64
	Serial  uint32
	// Generated is when the served data was made.
	Generated time.Time
	// Snapshot is the whole payload of a reset; nil for a delta.
	Snapshot *payload.Snapshot
	// Delta is the change from Delta.From to Serial, for a delta.
	Delta *payload.Delta
}

// WriteDelta writes a json-delta document: the members, their order and
// the items' layout are Routinator's, route origins in its order, then
// router keys, then ASPAs. Routinator's router key and ASPA items carry
// stray blank lines and uneven indentation; here they are indented as its
// route origins are.
func WriteDelta(w io.Writer, d DeltaDoc) error {
	bw := bufPool.Get().(*bufio.Writer)
	bw.Reset(w)
	defer func() { bw.Reset(nil); bufPool.Put(bw) }()
	wr := &writer{Writer: bw}
	b := append(wr.b[:0], "{\n  \"reset\": "...)
	b = strconv.AppendBool(b, d.Snapshot != nil)
	b = strconv.AppendUint(append(b, ",\n  \"session\": \""...), d.Session, 10)
	b = strconv.AppendUint(append(b, "\",\n  \"serial\": "...), uint64(d.Serial), 10)
	if d.Snapshot == nil {
		b = strconv.AppendUint(append(b, ",\n  \"fromSerial\": "...), uint64(d.Delta.From), 10)
	}
	b = strconv.AppendInt(append(b, ",\n  \"generated\": "...), d.Generated.Unix(), 10)
	b = appendISO(append(b, ",\n  \"generatedTime\": \""...), d.Generated)
	wr.line(append(b, "\",\n  \"announced\": ["...))
	if d.Snapshot != nil {
		writeDeltaItems(wr, d.Snapshot.VRPs, d.Snapshot.RouterKeys, d.Snapshot.ASPAs)
	} else {
		writeDeltaItems(wr, d.Delta.AnnouncedVRPs, d.Delta.AnnouncedKeys, d.Delta.AnnouncedASPAs)
		wr.WriteString("\n  ],\n  \"withdrawn\": [")
		writeDeltaItems(wr, d.Delta.WithdrawnVRPs, d.Delta.WithdrawnKeys, d.Delta.WithdrawnASPAs)
	}
	wr.WriteString("\n  ]\n}\n")
	return bw.Flush()
}

// writeDeltaItems writes one list of items, each sorted by payload order.
func writeDeltaItems(w *writer, vrps []payload.VRP, keys []payload.RouterKey, aspas []payload.ASPA) {
	first := true
	next := func() []byte {
		b := w.b[:0]
		if !first {
			b = append(b, ',')
		}
		first = false
		return append(b, "\n    {\n        \"type\": "...)
	}
	for g := range RoutinatorOrder(vrps, func(v *payload.VRP) payload.VRP { return *v }) {
		b := appendAS(append(next(), "\"routeOrigin\",\n        \"asn\": \""...), g[0].ASN)
		b = appendPrefix(append(b, "\",\n        \"prefix\": \""...), g[0], "\",\n        \"maxLength\": ")
		w.line(append(b, "\n    }"...))
	}
	for _, k := range keys {
		b := payload.AppendHexUpper(append(next(), "\"routerKey\",\n        \"keyIdentifier\": \""...), k.SKI[:])
		b = appendAS(append(b, "\",\n        \"asn\": \""...), k.ASN)
		b = base64.RawURLEncoding.AppendEncode(append(b, "\",\n        \"keyInfo\": \""...), k.SPKI)
		w.line(append(b, "\"\n    }"...))
	}
	for _, a := range aspas {
		b := appendAS(append(next(), "\"aspa\",\n        \"customerAsn\": \""...), a.Customer)
		b = append(b, "\",\n        \"providerAsns\": ["...)
		for i, p := range a.Providers {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(appendAS(append(b, '"'), p), '"')
		}
		w.line(append(b, "]\n    }"...))
	}
}
