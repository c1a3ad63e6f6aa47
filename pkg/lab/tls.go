package lab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLS material of a lab's HTTPS server: a lab CA (which the relying party
// is told to trust) and a server certificate for the loopback names.
const (
	tlsDir     = "tls"
	caCertFile = "ca.pem"
	serverCert = "server.pem"
	serverKey  = "server-key.pem"
)

// CAFile is the path of the lab's TLS CA certificate.
func (l *Lab) CAFile() string { return filepath.Join(l.Dir, tlsDir, caCertFile) }

// serverTLS loads the lab's server certificate, making the TLS material on
// first use.
func (l *Lab) serverTLS() (*tls.Config, error) {
	dir := filepath.Join(l.Dir, tlsDir)
	certPath, keyPath := filepath.Join(dir, serverCert), filepath.Join(dir, serverKey)
	if _, err := os.Stat(certPath); err != nil {
		if err := makeTLS(dir, l.Config.Time); err != nil {
			return nil, err
		}
	}
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}, nil
}

func makeTLS(dir string, now time.Time) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1),
		Subject:   pkix.Name{CommonName: "validator lab CA"},
		NotBefore: now.Add(-24 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2),
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:   caTmpl.NotBefore, NotAfter: caTmpl.NotAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(srvKey)
	if err != nil {
		return err
	}
	for name, block := range map[string]*pem.Block{
		caCertFile: {Type: "CERTIFICATE", Bytes: caDER},
		serverCert: {Type: "CERTIFICATE", Bytes: srvDER},
		serverKey:  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := writeFile(filepath.Join(dir, name), pem.EncodeToMemory(block)); err != nil {
			return err
		}
	}
	return nil
}
