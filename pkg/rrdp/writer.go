package rrdp

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
)

// The writer produces RRDP files in the form RFC 8182 §3.5 shows: a root
// element with the namespace, version, session_id and serial, then one
// element per line, base64 without line breaks. It checks what it writes with
// the same rules the parser applies, so the lab cannot serve files the
// client would refuse by accident.

// WriteNotification writes a notification file.
func WriteNotification(w io.Writer, n *Notification) error {
	bw := bufio.NewWriter(w)
	if err := writeRoot(bw, "notification", n.Header); err != nil {
		return err
	}
	if err := writeRef(bw, "snapshot", 0, n.Snapshot); err != nil {
		return err
	}
	for _, d := range n.Deltas {
		if err := writeRef(bw, "delta", d.Serial, d.FileRef); err != nil {
			return err
		}
	}
	bw.WriteString("</notification>\n")
	return bw.Flush()
}

// SnapshotWriter writes a snapshot file one object at a time, so the lab can
// write large repositories without holding them in memory.
type SnapshotWriter struct {
	bw  *bufio.Writer
	err error
}

// NewSnapshotWriter starts a snapshot file for session and serial h on w.
func NewSnapshotWriter(w io.Writer, h Header) (*SnapshotWriter, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := writeRoot(bw, "snapshot", h); err != nil {
		return nil, err
	}
	return &SnapshotWriter{bw: bw}, nil
}

// Publish writes one object.
func (s *SnapshotWriter) Publish(uri string, data []byte) error {
	if s.err == nil {
		s.err = writePublish(s.bw, uri, data, nil)
	}
	return s.err
}

// Close ends the file and flushes it; it does not close the underlying writer.
func (s *SnapshotWriter) Close() error {
	if s.err != nil {
		return s.err
	}
	s.bw.WriteString("</snapshot>\n")
	return s.bw.Flush()
}

// WriteSnapshot writes a whole snapshot file.
func WriteSnapshot(w io.Writer, h Header, objects []Publish) error {
	sw, err := NewSnapshotWriter(w, h)
	if err != nil {
		return err
	}
	for _, o := range objects {
		if err := sw.Publish(o.URI, o.Data); err != nil {
			return err
		}
	}
	return sw.Close()
}

// WriteDelta writes a delta file with the changes in order.
func WriteDelta(w io.Writer, h Header, changes []Change) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := writeRoot(bw, "delta", h); err != nil {
		return err
	}
	for _, c := range changes {
		var err error
		if c.Withdraw {
			err = writeWithdraw(bw, c)
		} else {
			err = writePublish(bw, c.URI, c.Data, c.Hash)
		}
		if err != nil {
			return err
		}
	}
	bw.WriteString("</delta>\n")
	return bw.Flush()
}

// writeRoot writes the opening root element after checking the header.
func writeRoot(bw *bufio.Writer, name string, h Header) error {
	if !validUUID(h.SessionID) || h.Serial == 0 {
		return fmt.Errorf("rrdp: write %s: RFC 8182 §3.5: session %q must be a v4 UUID and serial %d positive", name, h.SessionID, h.Serial)
	}
	fmt.Fprintf(bw, "<%s xmlns=%q version=\"1\" session_id=%q serial=\"%d\">\n", name, Namespace, h.SessionID, h.Serial)
	return nil
}

// writeRef writes a snapshot or delta element of a notification.
func writeRef(bw *bufio.Writer, name string, serial uint64, ref FileRef) error {
	if _, err := CheckHTTPSURI(ref.URI); err != nil {
		return fmt.Errorf("rrdp: write notification: %v", err)
	}
	bw.WriteString("  <" + name)
	if serial != 0 {
		bw.WriteString(` serial="` + strconv.FormatUint(serial, 10) + `"`)
	}
	writeAttr(bw, "uri", ref.URI)
	writeAttr(bw, "hash", hex.EncodeToString(ref.Hash[:]))
	bw.WriteString("/>\n")
	return nil
}

// writePublish writes a publish element.
func writePublish(bw *bufio.Writer, uri string, data []byte, replaces *[32]byte) error {
	if err := CheckObjectURI(uri); err != nil {
		return fmt.Errorf("rrdp: write publish: %v", err)
	}
	bw.WriteString("  <publish")
	writeAttr(bw, "uri", uri)
	if replaces != nil {
		writeAttr(bw, "hash", hex.EncodeToString(replaces[:]))
	}
	bw.WriteString(">")
	enc := base64.NewEncoder(base64.StdEncoding, bw)
	enc.Write(data)
	enc.Close()
	bw.WriteString("</publish>\n")
	return nil
}

// writeWithdraw writes a withdraw element.
func writeWithdraw(bw *bufio.Writer, c Change) error {
	if err := CheckObjectURI(c.URI); err != nil || c.Hash == nil {
		return fmt.Errorf("rrdp: write withdraw %q: RFC 8182 §3.5.3.3: needs a valid uri and a hash (%v)", c.URI, err)
	}
	bw.WriteString("  <withdraw")
	writeAttr(bw, "uri", c.URI)
	writeAttr(bw, "hash", hex.EncodeToString(c.Hash[:]))
	bw.WriteString("/>\n")
	return nil
}

// writeAttr writes name="value" with XML escaping.
func writeAttr(bw *bufio.Writer, name, value string) {
	bw.WriteString(" " + name + `="`)
	xml.EscapeText(bw, []byte(value))
	bw.WriteString(`"`)
}
