package rrdp

import (
	"fmt"
	"io"
	"sort"
)

// Header is the session and serial every RRDP file carries.
type Header struct {
	// SessionID is the repository session, a version 4 UUID in lower case.
	SessionID string
	// Serial is the serial of the file (RFC 8182 §3.3.2: starts at 1).
	Serial uint64
}

// FileRef points to a snapshot or delta file: its HTTPS URI and the SHA-256
// of its content.
type FileRef struct {
	// URI is the https URI of the file.
	URI string
	// Hash is the SHA-256 of the file's content (RFC 8182 §3.5.1.3).
	Hash [32]byte
}

// DeltaRef is one delta element of a notification file.
type DeltaRef struct {
	// Serial is the serial the repository has after this delta.
	Serial uint64
	FileRef
}

// Notification is a parsed notification file (RFC 8182 §3.5.1).
type Notification struct {
	Header
	// Snapshot is the current snapshot.
	Snapshot FileRef
	// Deltas are the listed deltas, sorted by ascending serial.
	Deltas []DeltaRef
}

// ParseNotification reads a notification file from r with the default limits.
func ParseNotification(r io.Reader) (*Notification, error) {
	return parseNotification(r, "notification", MaxNotificationSize)
}

// parseNotification reads a notification file of at most limit bytes.
func parseNotification(r io.Reader, file string, limit int64) (*Notification, error) {
	x := newXMLReader(r, file, limit, MaxURILength, nil)
	if err := x.openRoot(); err != nil {
		return nil, err
	}
	h, err := x.header("notification")
	if err != nil {
		return nil, err
	}
	n := &Notification{Header: h}
	if err := x.notificationBody(n); err != nil {
		return nil, err
	}
	if err := x.end(); err != nil {
		return nil, err
	}
	return n, n.check(file)
}

// notificationBody reads the snapshot and delta elements.
func (x *xmlReader) notificationBody(n *Notification) error {
	seenSnapshot := false
	for {
		ok, err := x.element()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch string(x.local()) {
		case "snapshot":
			if seenSnapshot {
				return fileError(ErrMalformed, x.file, "RFC 8182 §3.5.1.3: more than one <snapshot>")
			}
			seenSnapshot = true
			if n.Snapshot, err = x.fileRef(); err != nil {
				return err
			}
		case "delta":
			if len(n.Deltas) >= MaxNotificationDeltas {
				return fileError(ErrTooLarge, x.file, "more than %d deltas", MaxNotificationDeltas)
			}
			d, err := x.deltaRef()
			if err != nil {
				return err
			}
			n.Deltas = append(n.Deltas, d)
		default:
			return fileError(ErrMalformed, x.file, "RFC 8182 §3.5.1.3: unexpected element <%.64s>", x.local())
		}
	}
	if !seenSnapshot {
		return fileError(ErrMalformed, x.file, "RFC 8182 §3.5.1.3: no <snapshot>")
	}
	return nil
}

// fileRef reads the uri and hash attributes of a snapshot element.
func (x *xmlReader) fileRef() (FileRef, error) {
	a, err := x.checkAttrs(refAttrs)
	if err != nil {
		return FileRef{}, err
	}
	return x.refAttrs("snapshot", a)
}

// deltaRef reads the serial, uri and hash attributes of a delta element.
func (x *xmlReader) deltaRef() (DeltaRef, error) {
	a, err := x.checkAttrs(deltaRefAttrs)
	if err != nil {
		return DeltaRef{}, err
	}
	serial, err := parseSerial(string(a.get("serial")))
	if err != nil {
		return DeltaRef{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.1.3: delta serial: %v", err)
	}
	ref, err := x.refAttrs("delta", a)
	return DeltaRef{Serial: serial, FileRef: ref}, err
}

// refAttrs checks uri and hash, then that the element is empty.
func (x *xmlReader) refAttrs(name string, a attrSet) (FileRef, error) {
	uri := string(a.get("uri"))
	if _, err := CheckHTTPSURI(uri); err != nil {
		return FileRef{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.1.3: <%s> uri: %v", name, err)
	}
	h, err := parseHash(a.get("hash"))
	if err != nil {
		return FileRef{}, fileError(ErrMalformed, x.file, "RFC 8182 §3.5.1.3: <%s>: %v", name, err)
	}
	if err := x.noContent("§3.5.1.3", "<"+name+">"); err != nil {
		return FileRef{}, err
	}
	return FileRef{URI: uri, Hash: h}, nil
}

// check sorts the deltas and refuses repeated serials and serials beyond
// the notification's own (RFC 8182 §3.5.1.3).
func (n *Notification) check(file string) error {
	sort.Slice(n.Deltas, func(i, j int) bool { return n.Deltas[i].Serial < n.Deltas[j].Serial })
	for i, d := range n.Deltas {
		if d.Serial > n.Serial {
			return fileError(ErrMalformed, file, "RFC 8182 §3.5.1.3: delta serial %d beyond notification serial %d", d.Serial, n.Serial)
		}
		if i > 0 && n.Deltas[i-1].Serial == d.Serial {
			return fileError(ErrMalformed, file, "RFC 8182 §3.5.1.3: delta serial %d listed twice", d.Serial)
		}
	}
	return nil
}

// DeltaChain returns the deltas that lead from serial have to the
// notification's serial, or an error naming the gap: the chain must be
// contiguous and end at the notification serial (rpki-client check_delta).
func (n *Notification) DeltaChain(have uint64) ([]DeltaRef, error) {
	if have >= n.Serial {
		return nil, nil
	}
	i := sort.Search(len(n.Deltas), func(i int) bool { return n.Deltas[i].Serial > have })
	chain := n.Deltas[i:]
	for k, d := range chain {
		if d.Serial != have+uint64(k)+1 {
			return nil, fmt.Errorf("%w: RFC 8182 §3.4.1: no delta for serial %d", ErrSession, have+uint64(k)+1)
		}
	}
	if len(chain) == 0 || chain[len(chain)-1].Serial != n.Serial {
		return nil, fmt.Errorf("%w: RFC 8182 §3.4.1: deltas do not reach serial %d from %d", ErrSession, n.Serial, have)
	}
	return chain, nil
}
