package lab

import (
	"net"
)

// Launch generates a lab into dir on free loopback ports and serves it: the
// one call tests need. Stop it with Server.Close.
func Launch(dir string, cfg Config) (*Lab, *Server, error) {
	httpsLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	rsyncPort, err := freePort()
	if err != nil {
		httpsLn.Close()
		return nil, nil, err
	}
	cfg.Endpoints = Endpoints{HTTPS: "https://" + httpsLn.Addr().String(), Rsync: "rsync://127.0.0.1:" + rsyncPort}
	l, err := Generate(dir, cfg)
	if err != nil {
		httpsLn.Close()
		return nil, nil, err
	}
	srv, err := l.Serve(httpsLn)
	if err != nil {
		return nil, nil, err
	}
	return l, srv, nil
}

// freePort finds a loopback TCP port nobody listens on (the rsync daemon
// takes a port number, not a listener).
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}
