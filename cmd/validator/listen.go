package main

import (
	"crypto/tls"
	"fmt"
	"net"
)

// bindAll binds every plain address and, with a certificate, every TLS
// address, before anything is served, so a bad address fails the start
// (and privileges could be dropped after binding). On error nothing stays
// bound.
func bindAll(plain, withTLS []string, certFile, keyFile string) ([]net.Listener, error) {
	var out []net.Listener
	fail := func(err error) ([]net.Listener, error) {
		for _, l := range out {
			l.Close()
		}
		return nil, err
	}
	for _, a := range plain {
		l, err := net.Listen("tcp", a)
		if err != nil {
			return fail(err)
		}
		out = append(out, l)
	}
	if len(withTLS) == 0 {
		return out, nil
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fail(fmt.Errorf("TLS key pair: %w", err))
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	for _, a := range withTLS {
		l, err := net.Listen("tcp", a)
		if err != nil {
			return fail(err)
		}
		out = append(out, tls.NewListener(l, tc))
	}
	return out, nil
}
