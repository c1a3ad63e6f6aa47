package lab

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openrpki/validator/pkg/rrdp"
	"github.com/openrpki/validator/pkg/tal"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// faultCA returns the CA carrying fault name.
func faultCA(t *testing.T, l *Lab, name string) int {
	t.Helper()
	for i, f := range l.b.faults {
		if f.name == name {
			return i
		}
	}
	t.Fatalf("no CA carries %s", name)
	return -1
}

func readCert(t *testing.T, l *Lab, rel string) *x509rpki.Cert {
	t.Helper()
	der, err := os.ReadFile(filepath.Join(l.Dir, rsyncDir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509rpki.ParseCert(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestAttackFaultsNeedTrustAnchors refuses a trust anchor fault on a lab
// with one trust anchor, which the fault would leave without any.
func TestAttackFaultsNeedTrustAnchors(t *testing.T) {
	_, err := Generate(t.TempDir(), Config{Preset: "small", Faults: []string{"ta-stall"}, PrimesFile: testPrimes(),
		Endpoints: Endpoints{HTTPS: "https://127.0.0.1:8443", Rsync: "rsync://127.0.0.1:8873"}})
	if err == nil || !strings.Contains(err.Error(), "multi") {
		t.Fatalf("ta-stall on one trust anchor: %v", err)
	}
}

// TestAttacksPublished checks what each attack of the catalogue writes:
// the shadow CA's certificate and its RRDP repository at the victim's
// URIs, the loop certificate, the stalled trust anchor's TAL and expected
// output, and the older certificate served after the first publish.
func TestAttacksPublished(t *testing.T) {
	l := testLab(t, Config{Preset: "multi", Seed: 3, Faults: []string{"attacks"}})
	pl := l.Plan

	a := faultCA(t, l, "shadow-repo")
	v := l.b.attacks.victims[a]
	shadow := readCert(t, l, pl.ppDir(a)+pl.shadowCertName(a))
	if shadow.CARepository != pl.ppURI(l.Config.Endpoints, v) || shadow.Manifest != shadow.CARepository+pl.mftName(v) ||
		!strings.HasSuffix(shadow.Notify, "/"+pl.shadowModule(a)+"/notification.xml") {
		t.Fatalf("shadow CA SIA: %s %s %s", shadow.CARepository, shadow.Manifest, shadow.Notify)
	}
	objects := readModule(t, l, pl.shadowModule(a))
	mft, err := x509rpki.ParseManifest(objects[shadow.Manifest])
	if err != nil {
		t.Fatal(err)
	}
	if mft.Number.Cmp(shadowNumber) != 0 || len(objects) != 2 || objects[shadow.CARepository+pl.crlName(v)] == nil {
		t.Fatalf("shadow repository: manifest number %v, %d objects", mft.Number, len(objects))
	}
	if !bytes.Equal(mft.Signed.EE.AKI, shadow.SKI) {
		t.Fatal("shadow manifest not signed by the shadow CA")
	}

	c := faultCA(t, l, "ca-loop")
	p := pl.CAs[c].Parent
	loop := readCert(t, l, pl.ppDir(c)+pl.CAs[p].Name+"-again.cer")
	if parent := readCert(t, l, pl.certPath(p)); !bytes.Equal(loop.SKI, parent.SKI) || loop.CARepository != parent.CARepository {
		t.Fatal("ca-loop: the certificate is not for the parent's key and point")
	}

	stalled := faultCA(t, l, "ta-stall")
	tl, err := tal.LoadFile(filepath.Join(l.TALDir(), pl.CAs[stalled].Name+".tal"))
	if err != nil || len(tl.URIs) != 1 || !strings.HasPrefix(tl.URIs[0], "https://") {
		t.Fatalf("stalled TA's TAL: %v %v", tl, err)
	}
	want, _ := l.Expected()
	for _, vrp := range want.VRPs {
		if taV4(pl.CAs[stalled].TA).Contains(vrp.Prefix().Addr()) {
			t.Fatalf("expected output holds %v of the stalled trust anchor", vrp)
		}
	}

	replay := faultCA(t, l, "ta-replay")
	before := readCert(t, l, pl.certPath(replay))
	if _, err := l.Publish(); err != nil {
		t.Fatal(err)
	}
	after := readCert(t, l, pl.certPath(replay))
	if !after.NotBefore.Equal(before.NotBefore.Add(-replayAge)) || after.Resources.IPv6.Present || !before.Resources.IPv6.Present {
		t.Fatalf("replayed certificate: notBefore %v (was %v), IPv6 %v", after.NotBefore, before.NotBefore, after.Resources.IPv6.Present)
	}
	if after, _ := l.Expected(); len(after.VRPs) < len(want.VRPs) {
		t.Fatalf("expected output lost VRPs at the first publish: %d, was %d", len(after.VRPs), len(want.VRPs))
	}
	again, err := Open(l.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if !again.b.attacks.replayed[replay] || again.b.gen[v] != l.b.gen[v] {
		t.Fatal("a re-opened lab does not replay the attacks of the first publish")
	}
}

// readModule reads the objects of the snapshot an RRDP module serves.
func readModule(t *testing.T, l *Lab, module string) map[string][]byte {
	t.Helper()
	n := readNotificationOf(t, l, module)
	s, err := os.Open(localFile(l, n.Snapshot.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := map[string][]byte{}
	err = rrdp.ParseSnapshot(s, n.Header, func(p rrdp.Publish) error {
		out[p.URI] = p.Data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStalledTAServer fetches the stalled trust anchor's certificate: the
// headers come, the body does not, and closing the server ends the
// request at once.
func TestStalledTAServer(t *testing.T) {
	dir := t.TempDir()
	l, srv, err := Launch(dir, Config{Preset: "multi", Seed: 4, Faults: []string{"ta-stall"}, PrimesFile: testPrimes()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pem, err := os.ReadFile(l.CAFile())
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	uri := l.Config.Endpoints.https(l.Plan.certPath(faultCA(t, l, "ta-stall")))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength <= 0 {
		t.Fatalf("stalled server: %s, length %d", resp.Status, resp.ContentLength)
	}
	read := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(resp.Body)
		read <- err
	}()
	select {
	case err := <-read:
		t.Fatalf("the stalled body ended before the server closed: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-read; err == nil {
		t.Fatal("a stalled body read to its end")
	}
}
