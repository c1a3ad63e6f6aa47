package rtr

import (
	"encoding/binary"

	"github.com/openrpki/validator/pkg/payload"
)

// PDU types (RFC 8210 §5; type 11 from draft-ietf-sidrops-8210bis-27
// §5.12).
const (
	TypeSerialNotify  uint8 = 0
	TypeSerialQuery   uint8 = 1
	TypeResetQuery    uint8 = 2
	TypeCacheResponse uint8 = 3
	TypeIPv4Prefix    uint8 = 4
	TypeIPv6Prefix    uint8 = 6
	TypeEndOfData     uint8 = 7
	TypeCacheReset    uint8 = 8
	TypeRouterKey     uint8 = 9
	TypeErrorReport   uint8 = 10
	TypeASPA          uint8 = 11
)

// Fixed PDU lengths (RFC 8210 §5).
const (
	lenSerialNotify = 12
	lenSerialQuery  = 12
	lenResetQuery   = 8
	lenCacheResp    = 8
	lenIPv4Prefix   = 20
	lenIPv6Prefix   = 32
	lenEndOfDataV0  = 12 // RFC 6810 §5.8: no timers
	lenEndOfDataV1  = 24
	lenCacheReset   = 8
	lenRouterKeyMin = HeaderLen + 20 + 4 // + SPKI
	lenASPAMin      = HeaderLen + 4      // + 4 per provider
)

// flagAnnounce is bit 0 of the Flags field: 1 announce, 0 withdraw (RFC
// 8210 §5.6, §5.10; 8210bis-27 §5.1, §5.12).
const flagAnnounce = 1

// Timers are the End of Data intervals in seconds (RFC 8210 §6).
type Timers struct {
	Refresh, Retry, Expire uint32
}

func appendHeader(b []byte, version, typ uint8, field uint16, length uint32) []byte {
	b = append(b, version, typ)
	b = binary.BigEndian.AppendUint16(b, field)
	return binary.BigEndian.AppendUint32(b, length)
}

// AppendSerialNotify appends a Serial Notify PDU (RFC 8210 §5.2).
func AppendSerialNotify(b []byte, version uint8, session uint16, serial uint32) []byte {
	b = appendHeader(b, version, TypeSerialNotify, session, lenSerialNotify)
	return binary.BigEndian.AppendUint32(b, serial)
}

// AppendSerialQuery appends a Serial Query PDU (RFC 8210 §5.3).
func AppendSerialQuery(b []byte, version uint8, session uint16, serial uint32) []byte {
	b = appendHeader(b, version, TypeSerialQuery, session, lenSerialQuery)
	return binary.BigEndian.AppendUint32(b, serial)
}

// AppendResetQuery appends a Reset Query PDU (RFC 8210 §5.4).
func AppendResetQuery(b []byte, version uint8) []byte {
	return appendHeader(b, version, TypeResetQuery, 0, lenResetQuery)
}

// AppendCacheResponse appends a Cache Response PDU (RFC 8210 §5.5).
func AppendCacheResponse(b []byte, version uint8, session uint16) []byte {
	return appendHeader(b, version, TypeCacheResponse, session, lenCacheResp)
}

// AppendCacheReset appends a Cache Reset PDU (RFC 8210 §5.9).
func AppendCacheReset(b []byte, version uint8) []byte {
	return appendHeader(b, version, TypeCacheReset, 0, lenCacheReset)
}

// AppendEndOfData appends an End of Data PDU: 12 bytes without timers in
// v0 (RFC 6810 §5.8), 24 bytes with them from v1 (RFC 8210 §5.8).
func AppendEndOfData(b []byte, version uint8, session uint16, serial uint32, t Timers) []byte {
	if version == 0 {
		b = appendHeader(b, version, TypeEndOfData, session, lenEndOfDataV0)
		return binary.BigEndian.AppendUint32(b, serial)
	}
	b = appendHeader(b, version, TypeEndOfData, session, lenEndOfDataV1)
	b = binary.BigEndian.AppendUint32(b, serial)
	b = binary.BigEndian.AppendUint32(b, t.Refresh)
	b = binary.BigEndian.AppendUint32(b, t.Retry)
	return binary.BigEndian.AppendUint32(b, t.Expire)
}

// AppendPrefix appends an IPv4 or IPv6 Prefix PDU (RFC 8210 §5.6, §5.7).
func AppendPrefix(b []byte, version uint8, announce bool, v payload.VRP) []byte {
	var flags byte
	if announce {
		flags = flagAnnounce
	}
	if v.V6 {
		b = appendHeader(b, version, TypeIPv6Prefix, 0, lenIPv6Prefix)
		b = append(b, flags, v.Bits, v.MaxLen, 0)
		b = append(b, v.Addr[:]...)
	} else {
		b = appendHeader(b, version, TypeIPv4Prefix, 0, lenIPv4Prefix)
		b = append(b, flags, v.Bits, v.MaxLen, 0)
		b = append(b, v.Addr[:4]...)
	}
	return binary.BigEndian.AppendUint32(b, v.ASN)
}

// RouterKeyLen is the length of the Router Key PDU for k.
func RouterKeyLen(k payload.RouterKey) int { return lenRouterKeyMin + len(k.SPKI) }

// AppendRouterKey appends a Router Key PDU (RFC 8210 §5.10), v1 and up.
// The Flags field is the high byte of the header's third and fourth bytes.
// A key whose PDU would exceed MaxPDU is not encodable: nothing is
// appended (payload.MaxSPKI keeps real keys far below).
func AppendRouterKey(b []byte, version uint8, announce bool, k payload.RouterKey) []byte {
	if RouterKeyLen(k) > MaxPDU {
		return b
	}
	var flags uint16
	if announce {
		flags = flagAnnounce << 8
	}
	b = appendHeader(b, version, TypeRouterKey, flags, uint32(RouterKeyLen(k)))
	b = append(b, k.SKI[:]...)
	b = binary.BigEndian.AppendUint32(b, k.ASN)
	return append(b, k.SPKI...)
}

// ASPALen is the length of the ASPA PDU for a: 12 octets plus 4 per
// provider for an announcement, 12 for a withdrawal (draft-ietf-sidrops-
// 8210bis-27 §5.12).
func ASPALen(announce bool, a payload.ASPA) int {
	if !announce {
		return lenASPAMin
	}
	return lenASPAMin + 4*len(a.Providers)
}

// AppendASPA appends an ASPA PDU, v2 only, in the layout of
// draft-ietf-sidrops-8210bis-27 §5.12 (Figure 11): version, type 11, the
// Flags octet (bit 0: 1 announce or replace, 0 withdraw; the other bits
// zero), a zero octet, the length, the customer AS, then the providers in
// increasing order. The AFI flag and the Provider AS Count field of the
// drafts up to -10 (which StayRTR 0.5.1 still sends) are gone. A
// withdrawal carries no providers and is 12 octets: it removes the
// router's record for the customer; an announcement replaces it. An
// announcement of more than MaxASPAProviders providers cannot be carried
// (§5.1: 65,535 octets at most): nothing is appended, and the response
// encoders count the record as unencodable.
func AppendASPA(b []byte, version uint8, announce bool, a payload.ASPA) []byte {
	n := ASPALen(announce, a)
	if n > MaxPDU {
		return b
	}
	var flags uint16
	if announce {
		flags = flagAnnounce << 8
	}
	b = appendHeader(b, version, TypeASPA, flags, uint32(n))
	b = binary.BigEndian.AppendUint32(b, a.Customer)
	if !announce {
		return b
	}
	for _, p := range a.Providers {
		b = binary.BigEndian.AppendUint32(b, p)
	}
	return b
}

// AppendErrorReport appends an Error Report PDU (RFC 8210 §5.11). The
// encapsulated PDU is truncated to MaxPDU/2 and the text to MaxErrorText,
// so a report always fits MaxPDU.
func AppendErrorReport(b []byte, version uint8, e *ErrorReport) []byte {
	pdu := e.PDU
	if len(pdu) > MaxPDU/2 {
		pdu = pdu[:MaxPDU/2]
	}
	text := e.Text
	if len(text) > MaxErrorText {
		text = text[:MaxErrorText]
	}
	b = appendHeader(b, version, TypeErrorReport, e.Code, uint32(HeaderLen+4+len(pdu)+4+len(text)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(pdu)))
	b = append(b, pdu...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(text)))
	return append(b, text...)
}
