package rtr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/openrpki/validator/pkg/payload"
)

// Header is the common PDU header (RFC 8210 §5.1). Field is the Session ID,
// the Error Code, the Flags byte of Router Key and ASPA PDUs (high byte),
// or zero, depending on Type.
type Header struct {
	Version uint8
	Type    uint8
	Field   uint16
	Length  uint32
}

// Reader frames PDUs on a stream: it reads the 8-byte header with
// io.ReadFull, checks the length against a cap before reading anything
// more, then reads exactly the body. It never treats one Read as one PDU.
type Reader struct {
	r   io.Reader
	max uint32
	buf []byte
}

// NewReader returns a Reader rejecting PDUs longer than max bytes; max
// is capped at MaxPDU, the protocol's bound.
func NewReader(r io.Reader, max uint32) *Reader {
	return &Reader{r: r, max: min(max, MaxPDU), buf: make([]byte, HeaderLen, 64)}
}

// Next reads one PDU. It returns the header and the whole PDU (header
// included), valid until the next call. Framing errors are *ErrorReport
// (Corrupt Data, RFC 8210 §12) carrying the header read so far; I/O errors
// are returned as is (io.EOF at a clean PDU boundary).
func (r *Reader) Next() (Header, []byte, error) {
	if _, err := io.ReadFull(r.r, r.buf[:HeaderLen]); err != nil {
		return Header{}, nil, err
	}
	h := Header{
		Version: r.buf[0],
		Type:    r.buf[1],
		Field:   binary.BigEndian.Uint16(r.buf[2:4]),
		Length:  binary.BigEndian.Uint32(r.buf[4:8]),
	}
	if h.Length < HeaderLen || h.Length > r.max {
		return h, nil, errorf(CodeCorruptData, r.buf[:HeaderLen], "PDU length %d outside %d..%d (RFC 8210 §5.1; draft-ietf-sidrops-8210bis-27 §5.1)", h.Length, HeaderLen, r.max)
	}
	if cap(r.buf) < int(h.Length) {
		nb := make([]byte, h.Length)
		copy(nb, r.buf[:HeaderLen])
		r.buf = nb
	}
	pdu := r.buf[:h.Length]
	if _, err := io.ReadFull(r.r, pdu[HeaderLen:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return h, nil, err
	}
	return h, pdu, nil
}

// PDU is one decoded PDU. Only the fields of its Type are set.
type PDU struct {
	Header
	Session   uint16 // Serial Notify/Query, Cache Response, End of Data
	Serial    uint32 // Serial Notify/Query, End of Data
	Timers    Timers // End of Data, v1 and up
	Announce  bool   // Prefix, Router Key, ASPA
	VRP       payload.VRP
	Key       payload.RouterKey
	ASPA      payload.ASPA
	ErrorCode uint16
	ErrorPDU  []byte
	ErrorText string
}

// Decode checks and decodes a PDU returned by Reader.Next. Errors are
// *ErrorReport with the code a peer should receive. Slices in the result
// alias pdu.
func Decode(h Header, pdu []byte) (*PDU, error) {
	p := &PDU{Header: h}
	if h.Version > MaxVersion {
		return nil, errorf(CodeUnsupportedVersion, pdu, "protocol version %d not supported (max %d)", h.Version, MaxVersion)
	}
	if err := checkLength(h, pdu); err != nil {
		return nil, err
	}
	body := pdu[HeaderLen:]
	switch h.Type {
	case TypeSerialNotify, TypeSerialQuery:
		p.Session, p.Serial = h.Field, binary.BigEndian.Uint32(body)
	case TypeResetQuery, TypeCacheReset:
	case TypeCacheResponse:
		p.Session = h.Field
	case TypeEndOfData:
		p.Session, p.Serial = h.Field, binary.BigEndian.Uint32(body)
		if h.Version > 0 {
			p.Timers = Timers{binary.BigEndian.Uint32(body[4:]), binary.BigEndian.Uint32(body[8:]), binary.BigEndian.Uint32(body[12:])}
		}
	case TypeIPv4Prefix, TypeIPv6Prefix:
		return p, decodePrefix(p, pdu)
	case TypeRouterKey:
		p.Announce = h.Field>>8&flagAnnounce != 0
		p.Key.SKI = [20]byte(body[:20])
		p.Key.ASN = binary.BigEndian.Uint32(body[20:24])
		p.Key.SPKI = body[24:]
	case TypeASPA:
		return p, decodeASPA(p, pdu)
	case TypeErrorReport:
		return p, decodeErrorReport(p, pdu)
	}
	return p, nil
}

// checkLength checks the type is known in this version and the length is
// right for the type.
func checkLength(h Header, pdu []byte) error {
	switch {
	case h.Type == TypeRouterKey && h.Version >= 1:
		if h.Length < lenRouterKeyMin+1 {
			return errorf(CodeCorruptData, pdu, "Router Key PDU length %d too short (RFC 8210 §5.10)", h.Length)
		}
		return nil
	case h.Type == TypeASPA && h.Version >= 2:
		if h.Length < lenASPAMin || (h.Length-lenASPAMin)%4 != 0 {
			return errorf(CodeCorruptData, pdu, "ASPA PDU length %d not 12+4n (draft-ietf-sidrops-8210bis-27 §5.12)", h.Length)
		}
		return nil
	case h.Type == TypeErrorReport:
		if h.Length < HeaderLen+8 {
			return errorf(CodeCorruptData, pdu, "Error Report PDU length %d too short (RFC 8210 §5.11)", h.Length)
		}
		return nil
	}
	want, ok := fixedLen(h.Version, h.Type)
	if !ok {
		return errorf(CodeUnsupportedPDUType, pdu, "PDU type %d not defined in version %d", h.Type, h.Version)
	}
	if h.Length != want {
		return errorf(CodeCorruptData, pdu, "PDU type %d length %d, want %d (RFC 8210 §5)", h.Type, h.Length, want)
	}
	return nil
}

// fixedLen returns the length of the fixed-size PDU types.
func fixedLen(version, typ uint8) (uint32, bool) {
	switch typ {
	case TypeSerialNotify, TypeSerialQuery:
		return 12, true
	case TypeResetQuery, TypeCacheResponse, TypeCacheReset:
		return 8, true
	case TypeIPv4Prefix:
		return lenIPv4Prefix, true
	case TypeIPv6Prefix:
		return lenIPv6Prefix, true
	case TypeEndOfData:
		if version == 0 {
			return lenEndOfDataV0, true
		}
		return lenEndOfDataV1, true
	}
	return 0, false
}

func decodePrefix(p *PDU, pdu []byte) error {
	body := pdu[HeaderLen:]
	p.Announce = body[0]&flagAnnounce != 0
	var addr netip.Addr
	if p.Type == TypeIPv4Prefix {
		addr = netip.AddrFrom4([4]byte(body[4:8]))
	} else {
		addr = netip.AddrFrom16([16]byte(body[4:20]))
	}
	asn := binary.BigEndian.Uint32(pdu[len(pdu)-4:])
	if int(body[1]) > addr.BitLen() {
		return errorf(CodeCorruptData, pdu, "prefix length %d too long (RFC 8210 §5.6)", body[1])
	}
	pfx := netip.PrefixFrom(addr, int(body[1]))
	if pfx.Masked() != pfx {
		return errorf(CodeCorruptData, pdu, "prefix %v has host bits set (RFC 8210 §5.6)", pfx)
	}
	v, err := payload.NewVRP(pfx, body[2], asn)
	if err != nil || body[2] == 0 {
		return errorf(CodeCorruptData, pdu, "bad max length %d for %v (RFC 8210 §5.6)", body[2], pfx)
	}
	p.VRP = v
	return nil
}

// decodeASPA reads an ASPA PDU (draft-ietf-sidrops-8210bis-27 §5.12). A
// wrong provider list is Error Code 9, "ASPA Provider List Error": an
// announcement without providers, a withdrawal with any (its length
// must be 12), providers not in strictly increasing order (which also
// rules out duplicates), or AS 0 among several providers.
func decodeASPA(p *PDU, pdu []byte) error {
	p.Announce = p.Field>>8&flagAnnounce != 0
	body := pdu[HeaderLen:]
	p.ASPA.Customer = binary.BigEndian.Uint32(body)
	n := (len(body) - 4) / 4
	if p.Announce == (n == 0) {
		return errorf(CodeASPAProviderList, pdu, "ASPA %s with %d providers (draft-ietf-sidrops-8210bis-27 §5.12)",
			map[bool]string{true: "announcement", false: "withdrawal"}[p.Announce], n)
	}
	p.ASPA.Providers = make([]uint32, n)
	for i := range n {
		p.ASPA.Providers[i] = binary.BigEndian.Uint32(body[4+4*i:])
		if i > 0 && p.ASPA.Providers[i] <= p.ASPA.Providers[i-1] {
			return errorf(CodeASPAProviderList, pdu, "ASPA providers not in increasing order at AS%d (draft-ietf-sidrops-8210bis-27 §5.12)", p.ASPA.Providers[i])
		}
	}
	if n > 1 && p.ASPA.Providers[0] == 0 {
		return errorf(CodeASPAProviderList, pdu, "ASPA announcement lists AS0 among %d providers (draft-ietf-sidrops-8210bis-27 §5.12)", n)
	}
	return nil
}

func decodeErrorReport(p *PDU, pdu []byte) error {
	body := pdu[HeaderLen:]
	p.ErrorCode = p.Field
	n := binary.BigEndian.Uint32(body)
	if uint64(n) > uint64(len(body)-8) {
		return errorf(CodeCorruptData, pdu, "Error Report encapsulated length %d exceeds PDU (RFC 8210 §5.11)", n)
	}
	p.ErrorPDU = body[4 : 4+n]
	rest := body[4+n:]
	t := binary.BigEndian.Uint32(rest)
	if uint64(t) != uint64(len(rest)-4) {
		return errorf(CodeCorruptData, pdu, "Error Report text length %d, %d bytes left (RFC 8210 §5.11)", t, len(rest)-4)
	}
	p.ErrorText = string(rest[4:])
	return nil
}

// String formats a PDU for logs and tests.
func (p *PDU) String() string {
	switch p.Type {
	case TypeIPv4Prefix, TypeIPv6Prefix:
		return fmt.Sprintf("v%d prefix %s announce=%v", p.Version, p.VRP, p.Announce)
	case TypeEndOfData:
		return fmt.Sprintf("v%d end of data session=%d serial=%d %+v", p.Version, p.Session, p.Serial, p.Timers)
	case TypeErrorReport:
		return fmt.Sprintf("v%d error report %d (%s): %q", p.Version, p.ErrorCode, CodeName(p.ErrorCode), p.ErrorText)
	}
	return fmt.Sprintf("v%d type %d session=%d serial=%d", p.Version, p.Type, p.Session, p.Serial)
}
