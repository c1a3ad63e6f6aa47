package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/openrpki/validator/pkg/rtr"
)

// session is one benchmark client connection.
type session struct {
	conn    net.Conn
	c       pduCounter
	buf     []byte
	version uint8
	id      uint16
	serial  uint32
}

// response sends q and reads to End of Data, returning the number of
// payload PDUs in the response.
func (s *session) response(q []byte) (int, error) {
	if _, err := s.conn.Write(q); err != nil {
		return 0, err
	}
	var startPDUs int
	for {
		e, err := s.c.readUntil(s.conn, s.buf, func(e event) bool { return e.typ != rtr.TypeSerialNotify })
		if err != nil {
			return 0, err
		}
		switch e.typ {
		case rtr.TypeCacheResponse:
			startPDUs = e.pdus
		case rtr.TypeEndOfData:
			s.id, s.serial = e.session, e.serial
			return e.pdus - startPDUs - 1, nil
		case rtr.TypeCacheReset:
			return s.response(rtr.AppendResetQuery(nil, s.version))
		case rtr.TypeErrorReport:
			return 0, fmt.Errorf("error report code %d", e.code)
		}
	}
}

func measure(c config, name, tmp, first, second string, exp expectation, mk func(src, addr string) *exec.Cmd) (*result, error) {
	src := filepath.Join(tmp, name+".json")
	if err := copyFile(first, src); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := mk(src, addr)
	logf, _ := os.Create(filepath.Join(tmp, name+".log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	fmt.Printf("\n%s: pid %d on %s\n", name, cmd.Process.Pid, addr)
	r := &result{name: name}
	if err := warmUp(addr, uint8(c.version), exp, c.timeout); err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}
	r.warmup = time.Since(started)
	pid := cmd.Process.Pid
	r.baseRSS = procRSS(pid, "VmRSS")
	stopSampler, peak := sampleRSS(pid)
	sessions, err := dialAll(addr, c.sessions, uint8(c.version))
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, s := range sessions {
			s.conn.Close()
		}
	}()
	cpu0 := procCPU(pid)
	err = fullPhase(r, sessions, exp, c.timeout)
	r.cpu = procCPU(pid) - cpu0
	stopSampler()
	r.peakRSS = *peak
	if err != nil {
		// Keep what was measured (bytes by the deadline give a rate).
		r.failed = fmt.Errorf("full table phase: %w (server log: %s)", err, tail(filepath.Join(tmp, name+".log")))
		return r, r.failed
	}
	stopSampler, peak = sampleRSS(pid)
	if err := deltaPhase(r, sessions, exp, src, second, c.timeout); err != nil {
		return nil, fmt.Errorf("delta phase: %w (server log: %s)", err, tail(filepath.Join(tmp, name+".log")))
	}
	stopSampler()
	r.deltaPeakRSS = *peak
	if ts, ok := publishedAt(filepath.Join(tmp, name+".log")); ok {
		for _, d := range r.deltaPerSession {
			r.deltaFromPublish = max(r.deltaFromPublish, d-ts.Sub(r.deltaT0))
		}
	}
	return r, nil
}

// warmUp waits until one session gets the full table: the server has
// loaded the file.
func warmUp(addr string, version uint8, exp expectation, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		ss, err := dialAll(addr, 1, version)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		s := ss[0]
		s.conn.SetDeadline(time.Now().Add(timeout))
		n, err := s.response(rtr.AppendResetQuery(nil, version))
		s.conn.Close()
		if err == nil && n == exp.pdus-2 {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server never served the full table")
}

// dialAll opens n sessions to addr. On loopback each comes from its own
// address of 127.0.0.0/8, as n routers would: the server's per-source
// session cap then applies as in production.
func dialAll(addr string, n int, version uint8) ([]*session, error) {
	out := make([]*session, 0, n)
	for i := range n {
		d := net.Dialer{Timeout: 10 * time.Second}
		if host, _, err := net.SplitHostPort(addr); err == nil && net.ParseIP(host).IsLoopback() && net.ParseIP(host).To4() != nil {
			d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 1, byte(i/250), byte(2+i%250))}
		}
		conn, err := d.Dial("tcp", addr)
		if err != nil {
			for _, s := range out {
				s.conn.Close()
			}
			return nil, err
		}
		out = append(out, &session{conn: conn, buf: make([]byte, 64<<10), version: version})
	}
	return out, nil
}

// fullPhase releases every session at once with a Reset Query and waits
// for all of them to reach End of Data.
func fullPhase(r *result, ss []*session, exp expectation, timeout time.Duration) error {
	var wg sync.WaitGroup
	var failed atomic.Value
	durs := make([]time.Duration, len(ss))
	start := time.Now()
	for i, s := range ss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.conn.SetDeadline(start.Add(timeout))
			n, err := s.response(rtr.AppendResetQuery(nil, s.version))
			if err == nil && n != exp.pdus-2 {
				err = fmt.Errorf("session %d got %d payload PDUs, want %d", i, n, exp.pdus-2)
			}
			if err != nil {
				failed.Store(fmt.Errorf("session %d after %v: %w", i, time.Since(start), err))
			}
			durs[i] = time.Since(start)
		}()
	}
	wg.Wait()
	r.allHave = time.Since(start)
	r.perSession = durs
	for _, s := range ss {
		r.bytes += s.c.bytes
		r.pdus += int64(s.c.pdus)
	}
	if err, ok := failed.Load().(error); ok {
		return err
	}
	return nil
}

// deltaPhase replaces the source file and waits until every session has
// received the delta's PDUs through Serial Notify and Serial Query.
func deltaPhase(r *result, ss []*session, exp expectation, src, second string, timeout time.Duration) error {
	var wg sync.WaitGroup
	var failed atomic.Value
	done := make([]time.Time, len(ss))
	for i, s := range ss {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.conn.SetDeadline(time.Now().Add(timeout))
			got := 0
			for got < exp.delta {
				if _, err := s.c.readUntil(s.conn, s.buf, func(e event) bool { return e.typ == rtr.TypeSerialNotify }); err != nil {
					failed.Store(err)
					return
				}
				n, err := s.response(rtr.AppendSerialQuery(nil, s.version, s.id, s.serial))
				if err != nil {
					failed.Store(err)
					return
				}
				got += n
			}
			done[i] = time.Now()
		}()
	}
	time.Sleep(200 * time.Millisecond) // every session is waiting
	tmp := src + ".new"
	if err := copyFile(second, tmp); err != nil {
		return err
	}
	t0 := time.Now()
	r.deltaT0 = t0
	if err := os.Rename(tmp, src); err != nil {
		return err
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		return err
	}
	for _, d := range done {
		r.deltaPerSession = append(r.deltaPerSession, d.Sub(t0))
		r.deltaAll = max(r.deltaAll, d.Sub(t0))
	}
	return nil
}

func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// procRSS reads a VmRSS/VmHWM line of /proc/PID/status, in bytes.
func procRSS(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) >= 2 && fs[0] == field+":" {
			kb, _ := strconv.ParseInt(fs[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// procCPU returns user+system CPU time of a process (/proc/PID/stat
// fields 14 and 15, in clock ticks of 1/100 s).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fs := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(fs[11], 10, 64)
	st, _ := strconv.ParseInt(fs[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// sampleRSS polls VmRSS every 20 ms and keeps the maximum.
func sampleRSS(pid int) (stop func(), peak *int64) {
	var p int64
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			p = max(p, procRSS(pid, "VmRSS"))
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(quit); wg.Wait() }, &p
}

// tail returns the end of a log file for error messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	return string(b[max(0, len(b)-2000):])
}

// publishedAt finds when our server logged the publication of serial 1,
// to separate file parsing from propagation to the sessions.
func publishedAt(path string) (time.Time, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.Contains(line, `"payload published"`) || !strings.Contains(line, `"serial":1,`) {
			continue
		}
		var rec struct {
			TS string `json:"ts"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil {
			return time.Time{}, false
		}
		t, err := time.Parse(time.RFC3339Nano, rec.TS)
		return t, err == nil
	}
	return time.Time{}, false
}
