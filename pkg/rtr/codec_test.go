package rtr_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/rtr"
)

// capturePDUs returns the PDU bytes of one loopback capture (StayRTR and
// rtrdump/rtrlib, see internal/testfiles/testdata/rtr-vectors/SOURCES.md).
func capturePDUs(t *testing.T, name string) (dirs []string, pdus [][]byte) {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir(t), "rtr-vectors/generated-loopback", name+".decoded.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "hex=")
		if i < 0 {
			continue
		}
		b, err := hex.DecodeString(strings.Fields(line[i+4:])[0])
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, strings.Fields(line)[1])
		pdus = append(pdus, b)
	}
	return dirs, pdus
}

// reencode encodes a decoded PDU again with our encoders.
func reencode(p *rtr.PDU) []byte {
	switch p.Type {
	case rtr.TypeSerialNotify:
		return rtr.AppendSerialNotify(nil, p.Version, p.Session, p.Serial)
	case rtr.TypeSerialQuery:
		return rtr.AppendSerialQuery(nil, p.Version, p.Session, p.Serial)
	case rtr.TypeResetQuery:
		return rtr.AppendResetQuery(nil, p.Version)
	case rtr.TypeCacheResponse:
		return rtr.AppendCacheResponse(nil, p.Version, p.Session)
	case rtr.TypeIPv4Prefix, rtr.TypeIPv6Prefix:
		return rtr.AppendPrefix(nil, p.Version, p.Announce, p.VRP)
	case rtr.TypeEndOfData:
		return rtr.AppendEndOfData(nil, p.Version, p.Session, p.Serial, p.Timers)
	case rtr.TypeCacheReset:
		return rtr.AppendCacheReset(nil, p.Version)
	case rtr.TypeRouterKey:
		return rtr.AppendRouterKey(nil, p.Version, p.Announce, p.Key)
	case rtr.TypeASPA:
		return rtr.AppendASPA(nil, p.Version, p.Announce, p.ASPA)
	case rtr.TypeErrorReport:
		return rtr.AppendErrorReport(nil, p.Version, &rtr.ErrorReport{Code: p.ErrorCode, PDU: p.ErrorPDU, Text: p.ErrorText})
	}
	return nil
}

func decodeOne(b []byte) (*rtr.PDU, error) {
	h, pdu, err := rtr.NewReader(bytes.NewReader(b), rtr.MaxCachePDU).Next()
	if err != nil {
		return nil, err
	}
	return rtr.Decode(h, pdu)
}

// TestCapturesRoundTrip decodes every PDU that StayRTR and rtrlib put on
// the wire and checks that our encoder produces the same bytes.
func TestCapturesRoundTrip(t *testing.T) {
	for _, name := range []string{"rtr-v0-reset-query", "rtr-v1-reset-query", "rtr-v1-rtrlib-serial-notify-and-query",
		"rtr-v1-serial-query-unknown-session", "rtr-v2-client-vs-v1-server-downgrade"} {
		_, pdus := capturePDUs(t, name)
		if len(pdus) == 0 {
			t.Fatalf("%s: no PDUs", name)
		}
		for i, b := range pdus {
			p, err := decodeOne(b)
			if err != nil {
				t.Fatalf("%s PDU %d (%x): %v", name, i, b, err)
			}
			if got := reencode(p); !bytes.Equal(got, b) {
				t.Fatalf("%s PDU %d: re-encoded\n%x, want\n%x", name, i, got, b)
			}
		}
	}
}

// TestCaptureV2ASPAOldLayout: StayRTR 0.5.1 sends ASPA PDUs in the
// draft-8210bis-10 layout (flags and AFI in the body). We implement the
// current layout (flags in the header), so those PDUs are rejected as
// Corrupt Data rather than misread.
func TestCaptureV2ASPAOldLayout(t *testing.T) {
	_, pdus := capturePDUs(t, "rtr-v2-reset-query")
	var aspa, rejected int
	for _, b := range pdus {
		if b[1] != rtr.TypeASPA {
			if _, err := decodeOne(b); err != nil {
				t.Fatalf("%x: %v", b, err)
			}
			continue
		}
		aspa++
		var er *rtr.ErrorReport
		if _, err := decodeOne(b); errors.As(err, &er) && er.Code == rtr.CodeCorruptData {
			rejected++
		}
	}
	if aspa != 4 || rejected != 4 {
		t.Fatalf("%d ASPA PDUs, %d rejected; want 4, 4", aspa, rejected)
	}
}

func TestDecodeBad(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		code uint16
	}{
		{"length below header", "0102000000000004", rtr.CodeCorruptData},
		{"huge length", "01020000ffffffff", rtr.CodeCorruptData},
		{"reset query too long", "010200000000000c00000000", rtr.CodeCorruptData},
		{"serial query too short", "0101000000000008", rtr.CodeCorruptData},
		{"unknown type", "0105000000000008", rtr.CodeUnsupportedPDUType},
		{"type 255", "01ff000000000008", rtr.CodeUnsupportedPDUType},
		{"router key in v0", "0009000000000008", rtr.CodeUnsupportedPDUType},
		{"aspa in v1", "010b00000000000c00000001", rtr.CodeUnsupportedPDUType},
		{"unknown version", "0302000000000008", rtr.CodeUnsupportedVersion},
		{"prefix length 33", "0104000000000014012121000a00000000000001", rtr.CodeCorruptData},
		{"maxlen below length", "0104000000000014011810000a00000000000001", rtr.CodeCorruptData},
		{"host bits", "0104000000000014011818000a00000100000001", rtr.CodeCorruptData},
		{"aspa withdraw with providers", "020b0000000000100000000100000002", rtr.CodeCorruptData},
		{"aspa announce without providers", "020b01000000000c00000001", rtr.CodeCorruptData},
		{"aspa length not 4n", "020b01000000000e000000010000", rtr.CodeCorruptData},
		{"error report pdu length overflow", "010a000000000010ffffffff00000000", rtr.CodeCorruptData},
		{"error report text length wrong", "010a00000000001000000000000000ff", rtr.CodeCorruptData},
	}
	for _, tc := range tests {
		b, _ := hex.DecodeString(tc.hex)
		_, err := decodeOne(b)
		var er *rtr.ErrorReport
		if !errors.As(err, &er) || er.Code != tc.code {
			t.Errorf("%s: err = %v, want code %d", tc.name, err, tc.code)
		}
	}
}

func TestReaderExactFraming(t *testing.T) {
	// Three PDUs delivered one byte per Read: framing must not depend on
	// how the stream is split.
	var stream []byte
	stream = rtr.AppendResetQuery(stream, 1)
	stream = rtr.AppendSerialQuery(stream, 1, 7, 42)
	stream = rtr.AppendErrorReport(stream, 1, &rtr.ErrorReport{Code: 3, PDU: []byte{1, 2, 3}, Text: "x"})
	r := rtr.NewReader(io.MultiReader(oneByteReader(stream)), rtr.MaxRouterPDU)
	var types []uint8
	for {
		h, pdu, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		p, err := rtr.Decode(h, pdu)
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, p.Type)
		if p.Type == rtr.TypeSerialQuery && (p.Session != 7 || p.Serial != 42) {
			t.Fatalf("serial query %v", p)
		}
	}
	if !bytes.Equal(types, []uint8{rtr.TypeResetQuery, rtr.TypeSerialQuery, rtr.TypeErrorReport}) {
		t.Fatalf("types %v", types)
	}
	// A truncated body is io.ErrUnexpectedEOF, not a short PDU.
	_, _, err := rtr.NewReader(bytes.NewReader(stream[:10]), rtr.MaxRouterPDU).Next()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated: %v", err)
	}
}

type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	p[0] = r.b[0]
	r.b = r.b[1:]
	return 1, nil
}

func oneByteReader(b []byte) io.Reader { return &byteReader{b} }

// FuzzDecode frames and decodes arbitrary bytes: no panic, errors are
// *ErrorReport or I/O errors, and every accepted PDU re-encodes to the same
// bytes. Seeds: every PDU of the loopback captures and the tcpdump
// over-read regression packet.
func FuzzDecode(f *testing.F) {
	dir := filepath.Join(dataDir(f), "rtr-vectors/generated-loopback")
	files, _ := filepath.Glob(filepath.Join(dir, "*.decoded.txt"))
	for _, file := range files {
		b, _ := os.ReadFile(file)
		for _, line := range strings.Split(string(b), "\n") {
			if i := strings.Index(line, "hex="); i >= 0 {
				if pdu, err := hex.DecodeString(strings.Fields(line[i+4:])[0]); err == nil {
					f.Add(pdu)
				}
			}
		}
	}
	f.Add([]byte{0xab, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00}) // tcpdump rpki-rtr-oobr
	f.Fuzz(func(t *testing.T, data []byte) {
		r := rtr.NewReader(bytes.NewReader(data), rtr.MaxCachePDU)
		for range 64 {
			h, pdu, err := r.Next()
			if err != nil {
				var er *rtr.ErrorReport
				if !errors.As(err, &er) && err != io.EOF && err != io.ErrUnexpectedEOF {
					t.Fatalf("unexpected error type %T: %v", err, err)
				}
				return
			}
			p, err := rtr.Decode(h, pdu)
			if err != nil {
				if _, ok := err.(*rtr.ErrorReport); !ok {
					t.Fatalf("decode error %T", err)
				}
				continue
			}
			if got := reencode(p); !bytes.Equal(got, pdu) && !reservedBitsSet(pdu) {
				t.Fatalf("re-encoded %x, want %x", got, pdu)
			}
		}
	})
}

// reservedBitsSet reports PDUs whose zero/reserved fields or flag bits are
// not zero: we accept them (RFC 8210 §5: ignore on receipt) but cannot
// reproduce them.
func reservedBitsSet(pdu []byte) bool {
	switch pdu[1] {
	case rtr.TypeResetQuery, rtr.TypeCacheReset, rtr.TypeIPv4Prefix, rtr.TypeIPv6Prefix:
		if pdu[2] != 0 || pdu[3] != 0 {
			return true
		}
		return (pdu[1] == rtr.TypeIPv4Prefix || pdu[1] == rtr.TypeIPv6Prefix) && (pdu[8]&^1 != 0 || pdu[11] != 0)
	case rtr.TypeRouterKey, rtr.TypeASPA:
		return pdu[2]&^1 != 0 || pdu[3] != 0
	}
	return false
}
