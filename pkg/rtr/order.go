package rtr

import (
	"bytes"
	"cmp"
	"slices"
	"sort"

	"github.com/openrpki/validator/pkg/payload"
)

// The payload PDUs of a response go in the total order of
// draft-ietf-sidrops-8210bis-27 §11.2, a MUST for version 2 and a SHOULD
// for earlier versions, which therefore get it too: by PDU type (IPv4
// Prefix, IPv6 Prefix, Router Key, ASPA), and within a type announcements
// before withdrawals, so that no route is transiently Invalid at a router
// that applies PDUs as they arrive (§11.1).
//
// Snapshots and deltas keep payload.CompareVRP order (address, prefix
// length, max length, ASN, ascending). §11.2.1 orders Prefix PDUs by
// address, then max length, then prefix length, then ASN: descending for
// announcements (covering ROAs and AS0 last), ascending for withdrawals.
// Both orders agree on the address, so the encoder walks the snapshot's
// runs of equal address (forwards or backwards) and sorts only inside a
// run, which is short: no copy of the table is made.

// familySplit returns the IPv4 and IPv6 parts of VRPs sorted by
// payload.CompareVRP (IPv4 first).
func familySplit(vrps []payload.VRP) (v4, v6 []payload.VRP) {
	i := sort.Search(len(vrps), func(i int) bool { return vrps[i].V6 })
	return vrps[:i], vrps[i:]
}

// compareWithin orders VRPs of one address by max length, prefix length
// and ASN, ascending (8210bis-27 §11.2.1, withdrawals).
func compareWithin(a, b payload.VRP) int {
	if c := cmp.Compare(a.MaxLen, b.MaxLen); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Bits, b.Bits); c != 0 {
		return c
	}
	return cmp.Compare(a.ASN, b.ASN)
}

// appendPrefixes appends Prefix PDUs for one address family's VRPs
// (sorted by payload.CompareVRP) in the order of 8210bis-27 §11.2.1.
func appendPrefixes(b []byte, version uint8, announce bool, vrps []payload.VRP) []byte {
	var run []payload.VRP // scratch for runs longer than one
	emit := func(r []payload.VRP) {
		if len(r) > 1 {
			run = append(run[:0], r...)
			slices.SortFunc(run, compareWithin)
			if announce {
				slices.Reverse(run)
			}
			r = run
		}
		for _, v := range r {
			b = AppendPrefix(b, version, announce, v)
		}
	}
	if announce {
		for end := len(vrps); end > 0; {
			start := end - 1
			for start > 0 && vrps[start-1].Addr == vrps[end-1].Addr {
				start--
			}
			emit(vrps[start:end])
			end = start
		}
		return b
	}
	for start := 0; start < len(vrps); {
		end := start + 1
		for end < len(vrps) && vrps[end].Addr == vrps[start].Addr {
			end++
		}
		emit(vrps[start:end])
		start = end
	}
	return b
}

// compareKeyPDU orders Router Key PDUs of one kind by SKI, SPKI length,
// SPKI and ASN (8210bis-27 §11.2.2), which payload.CompareRouterKey (SKI,
// ASN, SPKI) does not.
func compareKeyPDU(a, b payload.RouterKey) int {
	if c := bytes.Compare(a.SKI[:], b.SKI[:]); c != 0 {
		return c
	}
	if c := cmp.Compare(len(a.SPKI), len(b.SPKI)); c != 0 {
		return c
	}
	if c := bytes.Compare(a.SPKI, b.SPKI); c != 0 {
		return c
	}
	return cmp.Compare(a.ASN, b.ASN)
}

// appendKeys appends Router Key PDUs in the order of 8210bis-27 §11.2.2;
// it returns how many were appended and how many could not be encoded.
func appendKeys(b []byte, version uint8, announce bool, keys []payload.RouterKey) (_ []byte, n, skipped int) {
	for _, k := range slices.SortedFunc(slices.Values(keys), compareKeyPDU) {
		if RouterKeyLen(k) > MaxPDU {
			skipped++
			continue
		}
		b = AppendRouterKey(b, version, announce, k)
		n++
	}
	return b, n, skipped
}
