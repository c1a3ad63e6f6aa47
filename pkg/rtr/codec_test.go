package rtr_test

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/payload"
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
// -27 layout (flags in the header), in which those PDUs read as
// withdrawals carrying providers: rejected with Error Code 9 (ASPA
// Provider List Error) rather than misread.
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
		if _, err := decodeOne(b); errors.As(err, &er) && er.Code == rtr.CodeASPAProviderList {
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
		{"aspa withdraw with providers", "020b0000000000100000000100000002", rtr.CodeASPAProviderList},
		{"aspa announce without providers", "020b01000000000c00000001", rtr.CodeASPAProviderList},
		{"aspa providers not increasing", "020b0100000000140000000100000003" + "00000002", rtr.CodeASPAProviderList},
		{"aspa provider twice", "020b0100000000140000000100000002" + "00000002", rtr.CodeASPAProviderList},
		{"aspa AS0 among providers", "020b0100000000140000000100000000" + "00000002", rtr.CodeASPAProviderList},
		{"aspa length not 4n", "020b01000000000e000000010000", rtr.CodeCorruptData},
		{"length 65536 (8210bis-27 §5.1: at most 65535)", "010200000001" + "0000", rtr.CodeCorruptData},
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

// FuzzEncodeDecode encodes a PDU built from the input with our encoders
// and decodes it with our decoder (the client side's limit, MaxCachePDU):
// what the encoder emits is never longer than MaxPDU, always decodes, and
// decodes to the value encoded. Records too long for one PDU (an ASPA of
// more than MaxASPAProviders providers) encode to nothing.
func FuzzEncodeDecode(f *testing.F) {
	for typ := range byte(12) {
		f.Add([]byte{typ, 2, 0x12, 0x34, 0xc0, 0, 2, 0, 24, 24, 0, 0, 0xfb, 0xf0})
	}
	f.Add([]byte{11, 1, 0x40, 0x00, 1, 2, 3}) // ASPA, 16384 providers
	f.Add([]byte{11, 1, 0x3f, 0xfc, 1, 2, 3}) // ASPA, 16380 providers
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 4 {
			return
		}
		typ, version := data[0]%12, data[1]%(rtr.MaxVersion+1)
		field := uint16(data[2])<<8 | uint16(data[3])
		rest := data[4:]
		b, ok := buildPDU(typ, version, field, rest)
		if !ok {
			return
		}
		if len(b) > rtr.MaxPDU {
			t.Fatalf("type %d: encoded %d octets", typ, len(b))
		}
		if len(b) == 0 {
			if typ != rtr.TypeASPA || int(field) <= rtr.MaxASPAProviders {
				t.Fatalf("type %d: encoded nothing", typ)
			}
			return
		}
		p, err := decodeOne(b)
		if err != nil {
			t.Fatalf("type %d v%d: our own PDU %x... refused: %v", typ, version, b[:min(len(b), 32)], err)
		}
		if got := reencode(p); !bytes.Equal(got, b) {
			t.Fatalf("type %d: decoded and encoded again differs", typ)
		}
	})
}

// buildPDU encodes one PDU of type typ from fuzz input; ok is false for
// types we do not encode in that version.
func buildPDU(typ, version uint8, field uint16, rest []byte) (b []byte, ok bool) {
	u32 := func(i int) uint32 {
		var x uint32
		for k := range 4 {
			if i+k < len(rest) {
				x = x<<8 | uint32(rest[i+k])
			}
		}
		return x
	}
	switch typ {
	case rtr.TypeSerialNotify:
		return rtr.AppendSerialNotify(nil, version, field, u32(0)), true
	case rtr.TypeSerialQuery:
		return rtr.AppendSerialQuery(nil, version, field, u32(0)), true
	case rtr.TypeResetQuery:
		return rtr.AppendResetQuery(nil, version), true
	case rtr.TypeCacheResponse:
		return rtr.AppendCacheResponse(nil, version, field), true
	case rtr.TypeIPv4Prefix, rtr.TypeIPv6Prefix:
		var a netip.Addr
		bits := int(field>>8) % 33
		if typ == rtr.TypeIPv4Prefix {
			a = netip.AddrFrom4([4]byte{byte(u32(0) >> 24), byte(u32(0) >> 16), byte(u32(0) >> 8), byte(u32(0))})
		} else {
			var x [16]byte
			for i := range x {
				x[i] = byte(u32(i) >> 24)
			}
			a, bits = netip.AddrFrom16(x), int(field>>8)%129
		}
		p, _ := a.Prefix(bits)
		maxLen := uint8(bits + int(field&0xff)%(a.BitLen()-bits+1))
		v, err := payload.NewVRP(p, maxLen, u32(16))
		if err != nil || maxLen == 0 {
			return nil, false
		}
		return rtr.AppendPrefix(nil, version, field&1 == 1, v), true
	case rtr.TypeEndOfData:
		return rtr.AppendEndOfData(nil, version, field, u32(0), rtr.Timers{Refresh: u32(4), Retry: u32(8), Expire: u32(12)}), true
	case rtr.TypeCacheReset:
		return rtr.AppendCacheReset(nil, version), true
	case rtr.TypeRouterKey:
		if version == 0 || len(rest) == 0 {
			return nil, false
		}
		k := payload.RouterKey{ASN: u32(0), SPKI: rest}
		copy(k.SKI[:], rest)
		return rtr.AppendRouterKey(nil, version, field&1 == 1, k), true
	case rtr.TypeErrorReport:
		n := min(int(field), len(rest))
		return rtr.AppendErrorReport(nil, version, &rtr.ErrorReport{Code: field % 14, PDU: rest[:n], Text: string(rest[n:])}), true
	case rtr.TypeASPA:
		if version < 2 {
			return nil, false
		}
		// field is the provider count; providers increase by a stride.
		a := payload.ASPA{Customer: u32(0), Providers: make([]uint32, field)}
		stride := uint32(1)
		if len(rest) > 0 {
			stride += uint32(rest[0])
		}
		for i := range a.Providers {
			a.Providers[i] = uint32(i+1) * stride
		}
		return rtr.AppendASPA(nil, version, field > 0, a), true
	}
	return nil, false
}
