package peers

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/openrpki/validator/pkg/payload"
)

// RPKIClient runs Debian's rpki-client. It drops root privileges to its
// own user, so its cache and output directories are made world-writable
// and the directories holding the TALs world-readable.
type RPKIClient struct {
	// Cache is the cache directory; empty means a fresh one per Run.
	Cache string
	// CAFile is the TLS root for RRDP (given as SSL_CERT_FILE).
	CAFile string
	// Timeout bounds one run; zero means three minutes.
	Timeout time.Duration
	// Out is the output directory, kept for the caller (made world
	// writable); empty means a fresh one per Run, removed after it.
	Out string
}

// Output is what one rpki-client run produced.
type Output struct {
	VRPs *payload.Snapshot // VRPs only: 8.2 reads the old ASPA profile
	Log  []byte
	// CPU is the user plus system time of the run.
	CPU time.Duration
	// MaxRSS is the peak resident set of the largest process, in KiB.
	MaxRSS int64
}

// Run validates the given TALs with rpki-client and reads its JSON output.
// flags choose more outputs (-c, -o, -B), written beside the JSON.
func (c *RPKIClient) Run(ctx context.Context, tals []string, flags ...string) (*Output, error) {
	cache := c.Cache
	if cache == "" {
		dir, err := WorldDir("rpki-client-cache-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cache = dir
	}
	out := c.Out
	if out == "" {
		dir, err := WorldDir("rpki-client-out-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		out = dir
	} else if err := os.Chmod(out, 0o777); err != nil {
		return nil, err
	}
	OpenUp(filepath.Dir(out))
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 3 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := append([]string{"-j", "-d", cache}, flags...)
	for _, t := range tals {
		OpenUp(filepath.Dir(t))
		args = append(args, "-t", t)
	}
	cmd := exec.CommandContext(ctx, "rpki-client", append(args, out)...)
	cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+c.CAFile)
	log, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("rpki-client: %v\n%s", err, log)
	}
	res := &Output{Log: log}
	if ps := cmd.ProcessState; ps != nil {
		res.CPU = ps.UserTime() + ps.SystemTime()
		res.MaxRSS = maxRSS(ps)
	}
	res.VRPs, err = ReadRPKIClientVRPs(filepath.Join(out, "json"))
	return res, err
}

// ReadRPKIClientVRPs reads the VRPs of rpki-client's JSON output.
func ReadRPKIClientVRPs(path string) (*payload.Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		ROAs []struct {
			ASN       json.Number `json:"asn"`
			Prefix    string      `json:"prefix"`
			MaxLength int         `json:"maxLength"`
		} `json:"roas"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var set payload.Set
	for _, r := range doc.ROAs {
		p, err := netip.ParsePrefix(r.Prefix)
		if err != nil {
			return nil, err
		}
		asn, err := r.ASN.Int64()
		if err != nil {
			return nil, err
		}
		v, err := payload.NewVRP(p, uint8(r.MaxLength), uint32(asn))
		if err != nil {
			return nil, err
		}
		set.VRPs = append(set.VRPs, v)
	}
	return payload.NewSnapshot(set), nil
}

// WorldDir makes a temporary directory every user may write.
func WorldDir(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", err
	}
	return dir, os.Chmod(dir, 0o777)
}

// OpenUp lets other users read dir and enter the directories above it.
func OpenUp(dir string) {
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o005 != 0o005 {
			os.Chmod(d, fi.Mode().Perm()|0o055)
		}
	}
}
