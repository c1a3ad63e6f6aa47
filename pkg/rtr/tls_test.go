package rtr_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/rtrclient"
	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
)

// selfSigned makes a P-256 certificate for 127.0.0.1.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rtr test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// TestTLSListener serves RTR over TLS (RFC 6810 §7.2) next to a plain
// listener limited to v0, from one server and one table.
func TestTLSListener(t *testing.T) {
	cert, pool := selfSigned(t)
	hist := payload.NewHistory(0)
	srv := rtr.NewServer(hist, rtr.Options{})
	tl, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(tl, 2)
	go srv.Serve(pl, 0)
	defer srv.Close()
	snap := loadSnapshot(t, stayrtrFile)
	hist.Publish(snap, time.Now())

	conn, err := tls.Dial("tcp", tl.Addr().String(), &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	c := rtrclient.New(conn, 2)
	defer c.Close()
	c.SendReset()
	if err := c.Sync(ioWait); err != nil {
		t.Fatal(err)
	}
	sameTable(t, c.Table(), wantVersionTable(snap, 2))

	// The plain listener speaks at most v0: a v1 query is refused with
	// code 4 in a v0 Error Report.
	p := dial(t, pl.Addr().String(), 1)
	p.SendReset()
	pdu, err := p.Next(ioWait)
	if err != nil || pdu.ErrorCode != rtr.CodeUnsupportedVersion || pdu.Version != 0 {
		t.Fatalf("v1 on a v0 listener: %v %v", pdu, err)
	}
}
