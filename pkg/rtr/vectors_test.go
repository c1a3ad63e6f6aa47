package rtr_test

import (
	"bytes"
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
)

// Origins of the vectors below. The captures are StayRTR 0.5.1 talking to
// rtrdump and rtrlib on loopback (internal/testfiles/testdata/rtr-vectors/
// SOURCES.md, generated-loopback/<name>.decoded.txt), copied here as hex
// with the capture's name. The hand-built ones follow the PDU figures of
// draft-ietf-sidrops-8210bis-27 (13 August 2026), the newest draft found:
// Figure 1 Serial Notify, 2 Serial Query, 3 Reset Query, 4 Cache
// Response, 5 Cache Reset, 6 End of Data, 7 Error Report, 8 IPv4 Prefix,
// 9 IPv6 Prefix, 10 Router Key, 11 ASPA. Their ASPA layout (Flags in the
// header's third octet, a zero octet, customer at offset 8, providers from
// offset 12, no AFI and no count) agrees with the encoders of rpki-rs
// (src/rtr/pdu.rs, Aspa::new), BIRD 3 (proto/rpki/packets.c, struct
// pdu_aspa), StayRTR's 8210bis-14 branch (lib/structs.go, PDUASPA.Write)
// and APNIC's rpki-rtr-demo (lib/APNIC/RPKI/RTR/PDU/ASPA.pm).
const (
	fromV0Capture    = "capture rtr-v0-reset-query"
	fromV1Capture    = "capture rtr-v1-reset-query"
	fromRtrlib       = "capture rtr-v1-rtrlib-serial-notify-and-query"
	fromUnknownSess  = "capture rtr-v1-serial-query-unknown-session"
	fromV2Capture    = "capture rtr-v2-reset-query"
	fromDraft27      = "hand-built, draft-ietf-sidrops-8210bis-27 §5"
	stayrtrKeySKI    = "5d4250e2d81d4448d8a29efce91d29ff075ec9e2"
	stayrtrKeySPKI   = "3059301306072a8648ce3d020106082a8648ce3d0301070342000480572343f83ffcb0107ab007d8ca69f86b9ca0300605b848a83df7c0d3ec5f19c019bfa6b59ed742b54ef4343a52501286d8a0e7e41f10aa53b45822a9f88015"
	desyncText       = "Session ID mismatch: client is desynchronized\x00"
	draftTimersHex   = "00000e100000025800001c20" // 3600, 600, 7200
	exampleASPAOneTo = "0000fbf0" + "0000fbf1" + "0000fbf2"
)

var defaultTimers = rtr.Timers{Refresh: 3600, Retry: 600, Expire: 7200}

// pduVectors are byte-exact encodings of every PDU type we encode, in
// every version that has it.
var pduVectors = []struct {
	name, origin, hex string
	build             func() []byte
}{
	// Version 0 (RFC 6810).
	{"v0 serial notify", fromDraft27, "000012340000000c01020304",
		func() []byte { return rtr.AppendSerialNotify(nil, 0, 0x1234, 0x01020304) }},
	{"v0 serial query", fromDraft27, "000112340000000c01020304",
		func() []byte { return rtr.AppendSerialQuery(nil, 0, 0x1234, 0x01020304) }},
	{"v0 reset query", fromV0Capture, "0002000000000008",
		func() []byte { return rtr.AppendResetQuery(nil, 0) }},
	{"v0 cache response", fromV0Capture, "0003a92500000008",
		func() []byte { return rtr.AppendCacheResponse(nil, 0, 43301) }},
	{"v0 ipv4 prefix announce", fromV0Capture, "0004000000000014011818000100000000003417",
		func() []byte { return rtr.AppendPrefix(nil, 0, true, vrp("1.0.0.0/24", 24, 13335)) }},
	{"v0 ipv6 prefix announce", fromV0Capture, "0006000000000020013030002001020001360000000000000000000000002497",
		func() []byte { return rtr.AppendPrefix(nil, 0, true, vrp("2001:200:136::/48", 48, 9367)) }},
	{"v0 end of data (no timers)", fromV0Capture, "0007a9250000000c00000000",
		func() []byte { return rtr.AppendEndOfData(nil, 0, 43301, 0, defaultTimers) }},
	{"v0 cache reset", fromDraft27, "0008000000000008",
		func() []byte { return rtr.AppendCacheReset(nil, 0) }},
	{"v0 error report", fromDraft27, "000a0002000000100000000000000000",
		func() []byte { return rtr.AppendErrorReport(nil, 0, &rtr.ErrorReport{Code: rtr.CodeNoDataAvailable}) }},

	// Version 1 (RFC 8210).
	{"v1 serial notify", fromRtrlib, "010035380000000c00000001",
		func() []byte { return rtr.AppendSerialNotify(nil, 1, 13624, 1) }},
	{"v1 serial query", fromRtrlib, "010135380000000c00000000",
		func() []byte { return rtr.AppendSerialQuery(nil, 1, 13624, 0) }},
	{"v1 reset query", fromV1Capture, "0102000000000008",
		func() []byte { return rtr.AppendResetQuery(nil, 1) }},
	{"v1 cache response", fromV1Capture, "0103a59a00000008",
		func() []byte { return rtr.AppendCacheResponse(nil, 1, 42394) }},
	{"v1 ipv4 prefix announce", fromV1Capture, "0104000000000014011818000100000000003417",
		func() []byte { return rtr.AppendPrefix(nil, 1, true, vrp("1.0.0.0/24", 24, 13335)) }},
	{"v1 ipv6 prefix withdraw", fromRtrlib, "0106000000000020003030002001020001ba0000000000000000000000005def",
		func() []byte { return rtr.AppendPrefix(nil, 1, false, vrp("2001:200:1ba::/48", 48, 24047)) }},
	{"v1 end of data", fromV1Capture, "0107a59a0000001800000000" + draftTimersHex,
		func() []byte { return rtr.AppendEndOfData(nil, 1, 42394, 0, defaultTimers) }},
	{"v1 cache reset", fromDraft27, "0108000000000008",
		func() []byte { return rtr.AppendCacheReset(nil, 1) }},
	{"v1 router key announce", fromV1Capture, "010901000000007b" + stayrtrKeySKI + "00003cca" + stayrtrKeySPKI,
		func() []byte { return rtr.AppendRouterKey(nil, 1, true, stayrtrKey()) }},
	{"v1 error report", fromUnknownSess, "010a00000000003e00000000" + "0000002e" + hex.EncodeToString([]byte(desyncText)),
		func() []byte {
			return rtr.AppendErrorReport(nil, 1, &rtr.ErrorReport{Code: rtr.CodeCorruptData, Text: desyncText})
		}},

	// Version 2 (draft-ietf-sidrops-8210bis-27).
	{"v2 serial notify", fromDraft27, "020012340000000c01020304",
		func() []byte { return rtr.AppendSerialNotify(nil, 2, 0x1234, 0x01020304) }},
	{"v2 serial query", fromDraft27, "020112340000000c01020304",
		func() []byte { return rtr.AppendSerialQuery(nil, 2, 0x1234, 0x01020304) }},
	{"v2 reset query", fromV2Capture, "0202000000000008",
		func() []byte { return rtr.AppendResetQuery(nil, 2) }},
	{"v2 cache response", fromV2Capture, "0203b78600000008",
		func() []byte { return rtr.AppendCacheResponse(nil, 2, 46982) }},
	{"v2 ipv4 prefix announce", fromV2Capture, "0204000000000014011818000100000000003417",
		func() []byte { return rtr.AppendPrefix(nil, 2, true, vrp("1.0.0.0/24", 24, 13335)) }},
	{"v2 ipv4 prefix withdraw", fromDraft27, "020400000000001400181800c00002000000fbf0",
		func() []byte { return rtr.AppendPrefix(nil, 2, false, vrp("192.0.2.0/24", 24, 64496)) }},
	{"v2 ipv6 prefix announce", fromV2Capture, "0206000000000020013030002001020001360000000000000000000000002497",
		func() []byte { return rtr.AppendPrefix(nil, 2, true, vrp("2001:200:136::/48", 48, 9367)) }},
	{"v2 ipv6 prefix withdraw", fromDraft27, "020600000000002000203000" + "20010db8000000000000000000000000" + "0000fbf1",
		func() []byte { return rtr.AppendPrefix(nil, 2, false, vrp("2001:db8::/32", 48, 64497)) }},
	{"v2 end of data", fromV2Capture, "0207b7860000001800000000" + draftTimersHex,
		func() []byte { return rtr.AppendEndOfData(nil, 2, 46982, 0, defaultTimers) }},
	{"v2 cache reset", fromDraft27, "0208000000000008",
		func() []byte { return rtr.AppendCacheReset(nil, 2) }},
	{"v2 router key announce", fromV2Capture, "020901000000007b" + stayrtrKeySKI + "00003cca" + stayrtrKeySPKI,
		func() []byte { return rtr.AppendRouterKey(nil, 2, true, stayrtrKey()) }},
	{"v2 router key withdraw", fromDraft27, "020900000000007b" + stayrtrKeySKI + "00003cca" + stayrtrKeySPKI,
		func() []byte { return rtr.AppendRouterKey(nil, 2, false, stayrtrKey()) }},
	{"v2 aspa announce", fromDraft27, "020b010000000014" + exampleASPAOneTo,
		func() []byte { return rtr.AppendASPA(nil, 2, true, exampleASPA()) }},
	{"v2 aspa withdraw (no providers, length 12)", fromDraft27, "020b00000000000c0000fbf0",
		func() []byte { return rtr.AppendASPA(nil, 2, false, exampleASPA()) }},
	{"v2 error report (code 9, ASPA encapsulated)", fromDraft27,
		"020a0009" + "00000031" + "0000000c" + "020b01000000000c0000fbf0" + "00000015" + hex.EncodeToString([]byte("announce, 0 providers")),
		func() []byte {
			bad, _ := hex.DecodeString("020b01000000000c0000fbf0")
			return rtr.AppendErrorReport(nil, 2, &rtr.ErrorReport{Code: rtr.CodeASPAProviderList, PDU: bad, Text: "announce, 0 providers"})
		}},
}

func vrp(prefix string, maxLen uint8, asn uint32) payload.VRP {
	v, err := payload.NewVRP(netip.MustParsePrefix(prefix), maxLen, asn)
	if err != nil {
		panic(err)
	}
	return v
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func stayrtrKey() payload.RouterKey {
	return payload.RouterKey{SKI: [20]byte(mustHex(stayrtrKeySKI)), ASN: 15562, SPKI: mustHex(stayrtrKeySPKI)}
}

// exampleASPA is AS64496 with providers AS64497 and AS64498.
func exampleASPA() payload.ASPA {
	return payload.ASPA{Customer: 64496, Providers: []uint32{64497, 64498}}
}

// TestPDUVectors: each encoder produces the vector byte for byte, and the
// decoder reads the vector back to a PDU that encodes to the same bytes.
func TestPDUVectors(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range pduVectors {
		want := mustHex(strings.ReplaceAll(v.hex, " ", ""))
		if got := v.build(); !bytes.Equal(got, want) {
			t.Errorf("%s (%s): encoded\n%x, want\n%x", v.name, v.origin, got, want)
			continue
		}
		p, err := decodeOne(want)
		if err != nil {
			t.Errorf("%s (%s): decode: %v", v.name, v.origin, err)
			continue
		}
		if got := reencode(p); !bytes.Equal(got, want) {
			t.Errorf("%s: decoded and encoded again\n%x, want\n%x", v.name, got, want)
		}
		seen[v.name[:2]+" "+pduTypeName(p.Type)] = true
	}
	// Every type we encode has a vector in every version that has it.
	for version, types := range map[string][]uint8{
		"v0": {0, 1, 2, 3, 4, 6, 7, 8, 10},
		"v1": {0, 1, 2, 3, 4, 6, 7, 8, 9, 10},
		"v2": {0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11},
	} {
		for _, typ := range types {
			if !seen[version+" "+pduTypeName(typ)] {
				t.Errorf("no %s vector for PDU type %d (%s)", version, typ, pduTypeName(typ))
			}
		}
	}
}

func pduTypeName(typ uint8) string {
	return [...]string{"serial notify", "serial query", "reset query", "cache response", "ipv4 prefix", "5",
		"ipv6 prefix", "end of data", "cache reset", "router key", "error report", "aspa"}[typ]
}
