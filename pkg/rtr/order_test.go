package rtr

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/openrpki/validator/pkg/payload"
)

// pduOrderKey is the abstract data element of draft-ietf-sidrops-8210bis-27
// §11.2 for one payload PDU.
type pduOrderKey struct {
	typ      uint8
	announce bool
	vrp      payload.VRP
	key      payload.RouterKey
	customer uint32
}

// compareOrder returns <0 if a must precede b under §11.2, >0 if b must
// precede a, 0 for the same element.
func compareOrder(a, b pduOrderKey) int {
	if c := cmp.Compare(a.typ, b.typ); c != 0 {
		return c // §11.2: lower PDU type first
	}
	if a.announce != b.announce {
		if a.announce {
			return -1 // announcements before withdrawals
		}
		return 1
	}
	var c int
	switch a.typ {
	case TypeIPv4Prefix, TypeIPv6Prefix: // §11.2.1
		c = bytes.Compare(a.vrp.Addr[:], b.vrp.Addr[:])
		if c == 0 {
			c = cmp.Compare(a.vrp.MaxLen, b.vrp.MaxLen)
		}
		if c == 0 {
			c = cmp.Compare(a.vrp.Bits, b.vrp.Bits)
		}
		if c == 0 {
			c = cmp.Compare(a.vrp.ASN, b.vrp.ASN)
		}
		if a.announce {
			c = -c // higher values first
		}
	case TypeRouterKey: // §11.2.2
		c = compareKeyPDU(a.key, b.key)
	case TypeASPA: // §11.2.3
		c = cmp.Compare(a.customer, b.customer)
	}
	return c
}

// checkResponse decodes a response PDU by PDU with the decoder's limit
// and checks that every payload PDU decodes, fits MaxPDU and comes
// strictly after the previous one in §11.2 order. It returns the payload
// PDUs.
func checkResponse(t testing.TB, b []byte) []*PDU {
	t.Helper()
	r := NewReader(bytes.NewReader(b), MaxPDU)
	var out []*PDU
	var prev *pduOrderKey
	for {
		h, raw, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("PDU %d: %v", len(out), err)
		}
		p, err := Decode(h, slices.Clone(raw))
		if err != nil {
			t.Fatalf("PDU %d (%x...): %v", len(out), raw[:min(len(raw), 16)], err)
		}
		switch p.Type {
		case TypeCacheResponse, TypeEndOfData:
			continue
		}
		k := pduOrderKey{typ: p.Type, announce: p.Announce, vrp: p.VRP, key: p.Key, customer: p.ASPA.Customer}
		if prev != nil && compareOrder(*prev, k) >= 0 {
			t.Fatalf("PDU %d out of 8210bis-27 §11.2 order: %+v after %+v", len(out), k, *prev)
		}
		prev = &k
		out = append(out, p)
	}
}

// randomSet makes a payload set whose VRPs share addresses often, with
// prefix and max lengths that make payload.CompareVRP and §11.2.1 disagree.
func randomSet(rng *rand.Rand, n int) payload.Set {
	var s payload.Set
	for range n {
		bits := 8 + rng.IntN(3)*8
		a := netip.AddrFrom4([4]byte{10, byte(rng.IntN(3)), 0, 0})
		if rng.IntN(3) == 0 {
			a = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(rng.IntN(3))})
			bits += 32
		}
		p, _ := a.Prefix(bits)
		v, err := payload.NewVRP(p, uint8(bits+rng.IntN(9)), uint32(rng.IntN(4)))
		if err != nil {
			panic(err)
		}
		s.VRPs = append(s.VRPs, v)
		switch rng.IntN(4) {
		case 0:
			s.ASPAs = append(s.ASPAs, payload.ASPA{Customer: uint32(rng.IntN(8)), Providers: []uint32{uint32(10 + rng.IntN(3))}})
		case 1:
			spki := bytes.Repeat([]byte{byte(rng.IntN(3))}, 1+rng.IntN(3))
			s.RouterKeys = append(s.RouterKeys, payload.RouterKey{SKI: [20]byte{byte(rng.IntN(2))}, ASN: uint32(rng.IntN(3)), SPKI: spki})
		}
	}
	return s
}

// TestResponseOrder: full and delta responses of every version follow the
// mandatory order of draft-ietf-sidrops-8210bis-27 §11.2, and carry the
// whole table or delta.
func TestResponseOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		old, cur := payload.NewSnapshot(randomSet(rng, 30)), payload.NewSnapshot(randomSet(rng, 30))
		st := payload.NewState(2, cur)
		d := payload.Construct(old, cur)
		for v := uint8(0); v <= MaxVersion; v++ {
			full := checkResponse(t, encodeFull(v, 1, st, Timers{1, 1, 600}).bytes)
			want := len(cur.VRPs)
			if v >= 1 {
				want += len(cur.RouterKeys)
			}
			if v >= 2 {
				want += len(cur.ASPAs)
			}
			if len(full) != want {
				t.Fatalf("set %d v%d: full response has %d payload PDUs, want %d", i, v, len(full), want)
			}
			checkResponse(t, encodeDelta(v, 1, d, 2, Timers{1, 1, 600}).bytes)
		}
	}
}

// TestEncoderWithinDecoderLimit: the worst cases encode to PDUs the
// project's own decoder accepts, and what cannot fit one PDU is left out
// (and counted) instead of sent: an ASPA of MaxASPAProviders providers is
// 65,532 octets and goes out; one more provider would be 65,536 (over
// 8210bis-27 §5.1's 65,535) and does not; nor does a 20,000-provider
// merge (issue 5's 80 KB PDU), whether in a full response or a delta.
func TestEncoderWithinDecoderLimit(t *testing.T) {
	providers := func(n int) []uint32 {
		p := make([]uint32, n)
		for i := range p {
			p[i] = uint32(100_000 + i)
		}
		return p
	}
	maxed := payload.ASPA{Customer: 1, Providers: providers(MaxASPAProviders)}
	over := payload.ASPA{Customer: 2, Providers: providers(MaxASPAProviders + 1)}
	merged := payload.ASPA{Customer: 3, Providers: providers(20_000)}
	bigKey := payload.RouterKey{ASN: 4, SPKI: make([]byte, MaxPDU)}
	if MaxASPAProviders != payload.MaxProviders {
		t.Fatalf("rtr carries %d providers per ASPA PDU, payload keeps up to %d", MaxASPAProviders, payload.MaxProviders)
	}
	if n := len(AppendASPA(nil, 2, true, maxed)); n != 65532 {
		t.Fatalf("ASPA of %d providers is %d octets, want 65532", MaxASPAProviders, n)
	}
	for _, a := range []payload.ASPA{over, merged} {
		if b := AppendASPA(nil, 2, true, a); len(b) != 0 {
			t.Fatalf("AS%d: %d providers encoded to %d octets", a.Customer, len(a.Providers), len(b))
		}
	}
	// A Snapshot built by hand (not by NewSnapshot, which drops them).
	snap := &payload.Snapshot{ASPAs: []payload.ASPA{maxed, over, merged}, RouterKeys: []payload.RouterKey{bigKey}}
	full := encodeFull(2, 1, payload.NewState(0, snap), Timers{1, 1, 600})
	pdus := checkResponse(t, full.bytes)
	if len(pdus) != 1 || pdus[0].ASPA.Customer != 1 || len(pdus[0].ASPA.Providers) != MaxASPAProviders || full.skipped != 3 {
		t.Fatalf("full response: %d payload PDUs, %d skipped; want only AS1's ASPA and 3 skipped", len(pdus), full.skipped)
	}
	// In a delta, a customer whose new record cannot be sent gets its old
	// record withdrawn rather than kept.
	d := &payload.Delta{AnnouncedASPAs: []payload.ASPA{merged}, WithdrawnASPAs: []payload.ASPA{{Customer: 3, Providers: []uint32{9}}}}
	delta := encodeDelta(2, 1, d, 1, Timers{1, 1, 600})
	pdus = checkResponse(t, delta.bytes)
	if len(pdus) != 1 || pdus[0].Announce || pdus[0].ASPA.Customer != 3 || delta.skipped != 1 {
		t.Fatalf("delta: %v, %d skipped; want the withdrawal of AS3 and 1 skipped", pdus, delta.skipped)
	}
	// Error Reports are truncated to fit.
	er := AppendErrorReport(nil, 2, &ErrorReport{Code: 1, PDU: make([]byte, 1<<20), Text: string(make([]byte, 1<<20))})
	if len(er) > MaxPDU {
		t.Fatalf("error report of %d octets", len(er))
	}
	checkResponse(t, er)
}

// FuzzEncodeResponses builds two snapshots from the input, encodes the
// full table and the delta in every version, and decodes them with the
// project's own decoder: every PDU must decode, fit MaxPDU and follow the
// §11.2 order, and the full response must carry the whole table.
func FuzzEncodeResponses(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(bytes.Repeat([]byte{0xff, 0x10, 0x20}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4096 {
			return
		}
		var seed [2]uint64
		for i, b := range data {
			seed[i%2] = seed[i%2]*31 + uint64(b)
		}
		rng := rand.New(rand.NewPCG(seed[0], seed[1]))
		old, cur := payload.NewSnapshot(randomSet(rng, len(data)/3)), payload.NewSnapshot(randomSet(rng, len(data)/3))
		if len(data) > 0 && data[0]%7 == 0 {
			// At, or just over, the most providers one PDU can carry.
			provs := make([]uint32, MaxASPAProviders-1+int(data[0]%3))
			for i := range provs {
				provs[i] = uint32(i + 1)
			}
			cur.ASPAs = append(cur.ASPAs, payload.ASPA{Customer: 1 << 31, Providers: provs})
		}
		d := payload.Construct(old, cur)
		for v := uint8(0); v <= MaxVersion; v++ {
			full := encodeFull(v, 7, payload.NewState(1, cur), Timers{1, 1, 600})
			got := checkResponse(t, full.bytes)
			if n := len(got) + full.skipped; v == 2 && n != cur.Len() {
				t.Fatalf("v2: %d PDUs + %d skipped, table has %d records", len(got), full.skipped, cur.Len())
			}
			checkResponse(t, encodeDelta(v, 7, d, 1, Timers{1, 1, 600}).bytes)
		}
	})
}

// String helps failure messages.
func (k pduOrderKey) String() string {
	return fmt.Sprintf("type %d announce %v %v %x AS%d", k.typ, k.announce, k.vrp, binary.BigEndian.Uint32(k.key.SKI[:4]), k.customer)
}
