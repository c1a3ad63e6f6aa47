package rtr_test

// Interop tests against routers' RTR clients from Debian (CI installs
// them through scripts/test): rtrclient (rtrlib, rtr-tools), BIRD 2
// (protocol rpki) and GoBGP (gobgpd rpki-servers). Each must end up with
// exactly our table and pick up a delta after Serial Notify. A missing
// binary fails the test. The protocol version each client negotiated is
// logged (go test -v -run Interop).

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/rtr"
)

const interopWait = 60 * time.Second

// versionObserver records the versions of the PDUs routers sent.
type versionObserver struct {
	rtr.NopObserver
	mu       sync.Mutex
	versions map[uint8]int
	types    map[uint8]int
}

func (o *versionObserver) PDUReceived(_ string, version, typ uint8) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.versions == nil {
		o.versions, o.types = map[uint8]int{}, map[uint8]int{}
	}
	o.versions[version]++
	o.types[typ]++
}

func (o *versionObserver) count(typ uint8) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.types[typ]
}

func (o *versionObserver) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return fmt.Sprint(o.versions)
}

// interop runs one client against our server: it starts the client, waits
// for the full small table, publishes the delta and waits for it.
func interop(t *testing.T, start func(t *testing.T, port int), table func() (map[payload.VRP]bool, error)) {
	first, second := smallSets(t)
	obs := &versionObserver{}
	ts := startServer(t, rtr.Options{Observer: obs}, rtr.MaxVersion)
	ts.publish(first)
	_, portStr, _ := net.SplitHostPort(ts.addr)
	port, _ := strconv.Atoi(portStr)
	start(t, port)
	waitTable(t, "full table", table, first)
	st := ts.publish(second)
	waitTable(t, fmt.Sprintf("delta to serial %d", st.Serial), table, second)
	// The delta came through a Serial Query prompted by Serial Notify
	// (the refresh timer is an hour), not through a new Reset Query.
	if obs.count(rtr.TypeSerialQuery) == 0 {
		t.Fatal("client never sent a Serial Query")
	}
	t.Logf("PDU versions received from the client: %s", obs)
}

func waitTable(t *testing.T, what string, table func() (map[payload.VRP]bool, error), want *payload.Snapshot) {
	t.Helper()
	var got map[payload.VRP]bool
	var err error
	for deadline := time.Now().Add(interopWait); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		got, err = table()
		if err == nil && sameVRPs(got, want) {
			return
		}
	}
	t.Fatalf("%s: client has %d VRPs (err %v), want exactly our %d", what, len(got), err, len(want.VRPs))
}

func sameVRPs(got map[payload.VRP]bool, want *payload.Snapshot) bool {
	if len(got) != len(want.VRPs) {
		return false
	}
	for _, v := range want.VRPs {
		if !got[v] {
			return false
		}
	}
	return true
}

// parseVRP parses "prefix", "maxlen", "asn" strings as clients print them.
func parseVRP(prefix, maxLen, asn string) (payload.VRP, error) {
	p, err := netip.ParsePrefix(prefix)
	if err != nil {
		return payload.VRP{}, err
	}
	m, err := strconv.Atoi(maxLen)
	if err != nil {
		return payload.VRP{}, err
	}
	a, err := strconv.ParseUint(strings.TrimPrefix(asn, "AS"), 10, 32)
	if err != nil {
		return payload.VRP{}, err
	}
	return payload.NewVRP(p, uint8(m), uint32(a))
}

// mustLookPath fails (not skips) when a peer binary is missing.
func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not installed (scripts/test installs it): %v", name, err)
	}
	return p
}

// startProcess runs a peer with a bounded lifetime; it is killed when the
// test ends.
func startProcess(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*interopWait)
	cmd := exec.CommandContext(ctx, mustLookPath(t, name), args...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	return cmd
}

func TestInteropRTRClient(t *testing.T) {
	var mu sync.Mutex
	table := map[payload.VRP]bool{}
	var parseErr error
	interop(t, func(t *testing.T, port int) {
		// stdbuf (coreutils): rtrclient's stdout is block-buffered on a
		// pipe, which would hold back the last updates.
		cmd := startProcess(t, "stdbuf", "-oL", mustLookPath(t, "rtrclient"), "-p", "tcp", "127.0.0.1", strconv.Itoa(port))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			// Lines: "+ 192.0.2.0   24 -  24   65000" (announce) or "- …".
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) != 6 || (f[0] != "+" && f[0] != "-") || f[3] != "-" {
					continue
				}
				v, err := parseVRP(f[1]+"/"+f[2], f[4], f[5])
				mu.Lock()
				if err != nil {
					parseErr = err
				} else if f[0] == "+" {
					table[v] = true
				} else {
					delete(table, v)
				}
				mu.Unlock()
			}
		}()
	}, func() (map[payload.VRP]bool, error) {
		mu.Lock()
		defer mu.Unlock()
		c := make(map[payload.VRP]bool, len(table))
		for v := range table {
			c[v] = true
		}
		return c, parseErr
	})
}

func TestInteropBIRD(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "bird.ctl")
	interop(t, func(t *testing.T, port int) {
		conf := fmt.Sprintf(`router id 192.0.2.1;
log stderr all;
roa4 table r4;
roa6 table r6;
protocol rpki rpki1 {
	roa4 { table r4; };
	roa6 { table r6; };
	remote 127.0.0.1 port %d;
	retry keep 5;
}
`, port)
		path := filepath.Join(dir, "bird.conf")
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := startProcess(t, "bird", "-f", "-c", path, "-s", sock, "-P", filepath.Join(dir, "bird.pid"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}, func() (map[payload.VRP]bool, error) {
		table := map[payload.VRP]bool{}
		for _, tab := range []string{"r4", "r6"} {
			out, err := exec.Command(mustLookPath(t, "birdc"), "-s", sock, "show", "route", "table", tab).Output()
			if err != nil {
				return nil, err
			}
			// Lines: "192.0.2.0/24-24 AS65000  [rpki1 06:38:37.386] * (100)".
			for _, line := range strings.Split(string(out), "\n") {
				f := strings.Fields(line)
				if len(f) < 2 || !strings.HasPrefix(f[1], "AS") {
					continue
				}
				i := strings.LastIndex(f[0], "-")
				if i < 0 {
					continue
				}
				v, err := parseVRP(f[0][:i], f[0][i+1:], f[1])
				if err != nil {
					return nil, err
				}
				table[v] = true
			}
		}
		return table, nil
	})
}

func TestInteropGoBGP(t *testing.T) {
	dir := t.TempDir()
	api := freePort(t)
	interop(t, func(t *testing.T, port int) {
		conf := fmt.Sprintf("[global.config]\n  as = 65000\n  router-id = \"192.0.2.1\"\n  port = -1\n"+
			"[[rpki-servers]]\n  [rpki-servers.config]\n    address = \"127.0.0.1\"\n    port = %d\n", port)
		path := filepath.Join(dir, "gobgpd.toml")
		if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := startProcess(t, "gobgpd", "-f", path, "--api-hosts", fmt.Sprintf("127.0.0.1:%d", api))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}, func() (map[payload.VRP]bool, error) {
		table := map[payload.VRP]bool{}
		for _, fam := range []string{"ipv4", "ipv6"} {
			out, err := exec.Command(mustLookPath(t, "gobgp"), "-u", "127.0.0.1", "-p", strconv.Itoa(api),
				"rpki", "table", "-a", fam).Output()
			if err != nil {
				return nil, err
			}
			// Lines: "192.0.2.0/24   24   65000   127.0.0.1:port".
			for _, line := range strings.Split(string(out), "\n") {
				f := strings.Fields(line)
				if len(f) != 4 || f[0] == "Network" {
					continue
				}
				v, err := parseVRP(f[0], f[1], f[2])
				if err != nil {
					return nil, err
				}
				table[v] = true
			}
		}
		return table, nil
	})
}

// freePort returns a loopback TCP port that was free a moment ago (GoBGP's
// API cannot be given port 0 and report it).
func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
