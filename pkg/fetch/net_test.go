package fetch_test

import "net"

// netListen listens on a loopback port chosen by the kernel.
func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
