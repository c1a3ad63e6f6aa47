package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/internal/rtrclient"
	"github.com/openrpki/validator/pkg/lab"
	"github.com/openrpki/validator/pkg/payload"
)

// overflowCustomer finds the customer of a lab's aspa-overflow fault from
// the names of the ASPA files it published.
func overflowCustomer(t *testing.T, l *lab.Lab) uint32 {
	t.Helper()
	var customer uint32
	filepath.WalkDir(l.Dir, func(p string, d os.DirEntry, _ error) error {
		if name := d.Name(); strings.HasPrefix(name, "aspa-") && strings.Contains(name, "-overflow-") {
			n, _ := strconv.ParseUint(strings.Split(strings.TrimPrefix(name, "aspa-"), "-")[0], 10, 32)
			customer = uint32(n)
		}
		return nil
	})
	if customer == 0 {
		t.Fatal("no aspa-overflow file in the lab")
	}
	return customer
}

// TestDaemonASPAOverflow: a repository publishes two valid ASPAs of
// 10,000 providers for one customer (lab fault aspa-overflow), which merge
// into an 80 KB RTR PDU that routers reject, dropping the session (issue
// 5). The daemon leaves that customer's ASPA out, counts it, and a v2
// router gets every other record and keeps its session.
func TestDaemonASPAOverflow(t *testing.T) {
	l := launchLab(t, lab.Config{Seed: 35, Faults: []string{"aspa-overflow"}})
	customer := overflowCustomer(t, l)
	rtrAddr, base, log := startDaemonLog(t, labFlags(l, t.TempDir())...)
	want, err := l.Expected()
	if err != nil {
		t.Fatal(err)
	}
	c, err := rtrclient.Dial(rtrAddr, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SendReset()
	if err := c.Sync(30 * time.Second); err != nil {
		t.Fatalf("v2 reset: %v", err)
	}
	got := c.Table()
	if !got.Equal(payload.NewSnapshot(want)) {
		t.Fatalf("RTR table differs from the lab's expected output (%d VRPs, %d ASPAs; want %d, %d)",
			len(got.VRPs), len(got.ASPAs), len(want.VRPs), len(want.ASPAs))
	}
	for _, a := range got.ASPAs {
		if a.Customer == customer {
			t.Fatalf("AS%d's merged ASPA was served", customer)
		}
	}
	if _, body := get(t, base+"/metrics"); !strings.Contains(body, "\nrpki_aspas_dropped 1\n") {
		t.Errorf("/metrics lacks rpki_aspas_dropped 1")
	}
	if !regexp.MustCompile(`WARN\s+validator\s+ASPA dropped: merged provider set too large for one RTR PDU\s+\{"customer": ` +
		fmt.Sprint(customer)).MatchString(log.String()) {
		t.Errorf("no WARN line naming AS%d:\n%s", customer, log.String())
	}
	// The session carries on: a Serial Query is answered.
	c.SendSerial()
	if err := c.Sync(30 * time.Second); err != nil {
		t.Fatalf("serial query after the reset: %v", err)
	}
}
