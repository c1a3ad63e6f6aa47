// Command rtrbench measures the RTR server against StayRTR: N concurrent
// sessions on loopback each send a Reset Query and read the full table to
// End of Data; then the source file is replaced and every session must
// pick up the delta after Serial Notify. Both servers run as separate
// processes fed the same JSON file, so their CPU time and RSS are read
// from /proc. The payload is generated (internal/vrpgen) unless -data and
// -delta name files.
//
//	go run ./pkg/rtr/internal/rtrbench            # 600k VRPs, 1000 sessions
//	go run ./pkg/rtr/internal/rtrbench -sessions 100 -set small
//
// With -connect ADDR it only plays the routers: N sessions to a running
// server read the full table and stay synced (a Serial Query after each
// Serial Notify) until -hold ends or a signal, for the daemon's memory and
// soak benchmarks.
//
// May import: rtr, payload, internal/vrpgen and the standard library.
package main
