package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/openrpki/validator/pkg/rtr"
)

// connect is the -connect mode: N sessions to a running server (the
// daemon under a memory or soak benchmark) each read the full table, then
// stay connected, following every Serial Notify with a Serial Query, for
// hold or until SIGINT or SIGTERM. It prints one line when all are synced
// and one per change they all followed.
func connect(c config) error {
	ss, err := dialAll(c.connect, c.sessions, uint8(c.version))
	if err != nil {
		return err
	}
	defer func() {
		for _, s := range ss {
			s.conn.Close()
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Value
	for _, s := range ss {
		wg.Go(func() {
			s.conn.SetDeadline(start.Add(c.timeout))
			if _, err := s.response(rtr.AppendResetQuery(nil, s.version)); err != nil {
				failed.Store(err)
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return fmt.Errorf("full table: %w", err)
	}
	fmt.Printf("%d sessions synced at serial %d in %v (%d PDUs each)\n", len(ss), ss[0].serial,
		time.Since(start).Round(time.Millisecond), ss[0].c.pdus)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if c.hold > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.hold)
		defer cancel()
	}
	return follow(ctx, ss)
}

// follow keeps every session synced until ctx ends: each Serial Notify is
// answered with a Serial Query, read to End of Data.
func follow(ctx context.Context, ss []*session) error {
	var wg sync.WaitGroup
	var failed atomic.Value
	for _, s := range ss {
		wg.Go(func() {
			for ctx.Err() == nil {
				s.conn.SetDeadline(time.Now().Add(time.Second))
				_, err := s.c.readUntil(s.conn, s.buf, func(e event) bool { return e.typ == rtr.TypeSerialNotify })
				if err != nil {
					if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
						continue
					}
					failed.Store(err)
					return
				}
				s.conn.SetDeadline(time.Now().Add(time.Minute))
				if _, err := s.response(rtr.AppendSerialQuery(nil, s.version, s.id, s.serial)); err != nil {
					failed.Store(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return fmt.Errorf("following: %w", err)
	}
	fmt.Printf("%d sessions stayed synced, last serial %d\n", len(ss), ss[0].serial)
	return nil
}
