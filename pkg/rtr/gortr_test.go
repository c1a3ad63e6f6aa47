package rtr_test

import (
	"net"
	"net/netip"
	"testing"
	"time"

	rtrlib "github.com/cloudflare/gortr/lib"

	"github.com/openrpki/validator/pkg/payload"
)

// gortrHandler collects the PDUs an independent client
// (github.com/cloudflare/gortr v0.14.7 lib) decodes from our server.
type gortrHandler struct{ pdus chan rtrlib.PDU }

func (h *gortrHandler) HandlePDU(_ *rtrlib.ClientSession, p rtrlib.PDU) { h.pdus <- p }
func (h *gortrHandler) ClientConnected(*rtrlib.ClientSession)           {}
func (h *gortrHandler) ClientDisconnected(*rtrlib.ClientSession)        {}

// gortrTable reads PDUs until End of Data and applies them to table.
// gortr v0.14.7 decodes Router Key PDUs of an early draft (no SPKI) and
// rejects RFC 8210 §5.10 ones, so the data sets used here hold VRPs only.
func gortrTable(t *testing.T, h *gortrHandler, table map[payload.VRP]bool) *rtrlib.PDUEndOfData {
	t.Helper()
	timeout := time.After(ioWait)
	for {
		select {
		case <-timeout:
			t.Fatal("gortr client: no End of Data")
		case p := <-h.pdus:
			var pfx net.IPNet
			var maxLen, flags uint8
			var asn uint32
			switch x := p.(type) {
			case *rtrlib.PDUEndOfData:
				return x
			case *rtrlib.PDUErrorReport:
				t.Fatalf("gortr client got error report %v", x)
			case *rtrlib.PDUIPv4Prefix:
				pfx, maxLen, asn, flags = x.Prefix, x.MaxLen, x.ASN, x.Flags
			case *rtrlib.PDUIPv6Prefix:
				pfx, maxLen, asn, flags = x.Prefix, x.MaxLen, x.ASN, x.Flags
			default:
				continue
			}
			addr, _ := netip.AddrFromSlice(pfx.IP)
			if len(pfx.IP) == 16 && pfx.IP.To4() == nil {
				addr = netip.AddrFrom16([16]byte(pfx.IP))
			} else {
				addr = addr.Unmap()
			}
			bits, _ := pfx.Mask.Size()
			v, err := payload.NewVRP(netip.PrefixFrom(addr, bits), maxLen, asn)
			if err != nil {
				t.Fatal(err)
			}
			if (flags&1 == 1) == table[v] {
				t.Fatalf("gortr: duplicate announcement or unknown withdrawal of %v", v)
			}
			if flags&1 == 1 {
				table[v] = true
			} else {
				delete(table, v)
			}
		}
	}
}

func TestGoRTRClient(t *testing.T) {
	first, second := smallSets(t)
	for _, version := range []uint8{0, 1} {
		ts := startServer(t, rtrOptions(), 2)
		ts.publish(first)
		conn, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		h := &gortrHandler{pdus: make(chan rtrlib.PDU, 1<<14)}
		cs := rtrlib.NewClientSession(rtrlib.ClientConfiguration{ProtocolVersion: version}, h)
		go cs.StartWithConn(conn)
		cs.SendResetQuery()
		table := map[payload.VRP]bool{}
		eod := gortrTable(t, h, table)
		assertVRPTable(t, table, first)
		if eod.Version != version || eod.SessionId != ts.SessionID(version) {
			t.Fatalf("v%d: End of Data %v", version, eod)
		}

		st := ts.publish(second)
		var notify *rtrlib.PDUSerialNotify
		for notify == nil {
			select {
			case p := <-h.pdus:
				notify, _ = p.(*rtrlib.PDUSerialNotify)
			case <-time.After(ioWait):
				t.Fatalf("v%d: no Serial Notify", version)
			}
		}
		if notify.SerialNumber != st.Serial {
			t.Fatalf("v%d: notify serial %d, want %d", version, notify.SerialNumber, st.Serial)
		}
		cs.SendSerialQuery(eod.SessionId, eod.SerialNumber)
		eod = gortrTable(t, h, table)
		assertVRPTable(t, table, second)
		if eod.SerialNumber != st.Serial {
			t.Fatalf("v%d: serial %d after delta, want %d", version, eod.SerialNumber, st.Serial)
		}
		conn.Close()
	}
}

func assertVRPTable(t *testing.T, got map[payload.VRP]bool, want *payload.Snapshot) {
	t.Helper()
	if len(got) != len(want.VRPs) {
		t.Fatalf("client has %d VRPs, want %d", len(got), len(want.VRPs))
	}
	for _, v := range want.VRPs {
		if !got[v] {
			t.Fatalf("client lacks %v", v)
		}
	}
}
