package lab

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"

	"github.com/openrpki/validator/pkg/payload"
	"github.com/openrpki/validator/pkg/x509rpki"
)

// A change is what one `lab publish` does to the repository: it edits the
// plan and the builder's state and says which publication points to
// re-sign and which RRDP sessions to reset. Changes are a pure function of
// the seed and the serial, so opening a lab replays them to rebuild its
// state without reading anything back.
type change struct {
	name  string
	apply func(l *Lab, rng *rand.Rand) (dirty []int, reset []int, ok bool)
}

// rolloverKeys is the number of spare keys kept for key rollovers.
const rolloverKeys = 256

// changeCatalogue is the sequence `lab publish` walks through, one change
// per serial, round and round.
var changeCatalogue = []change{
	{"add-roa", addROA},
	{"remove-roa", removeROA},
	{"reissue-manifest", reissueManifest},
	{"key-rollover", keyRollover},
	{"revoke-ca", revokeCA},
	{"session-reset", sessionReset},
}

// Publish applies the next change, re-signs what it touches, publishes a
// new RRDP serial (or session) and rewrites the expected output. It
// returns the name of the change.
func (l *Lab) Publish() (string, error) {
	p, err := l.PublishChange()
	return p.Change, err
}

// Published is what one publication did.
type Published struct {
	Change string
	// VRPsChanged says whether the expected VRPs differ from those before.
	VRPsChanged bool
}

// PublishChange is Publish, saying whether the expected VRPs changed. The
// RRDP notification files are written last of all (see announcement).
func (l *Lab) PublishChange() (Published, error) {
	before, err := l.Expected()
	if err != nil {
		return Published{}, err
	}
	next := l.Config.Serial + 1
	name, dirty, reset, err := l.applyChange(next)
	if err != nil {
		return Published{}, err
	}
	if err := l.rebuild(dirty); err != nil {
		return Published{}, err
	}
	resetRepos := map[int]bool{}
	for _, r := range reset {
		resetRepos[r] = true
	}
	pending, err := l.publishRRDP(resetRepos)
	if err != nil {
		return Published{}, err
	}
	l.Config.Serial = next
	after, err := l.Expected()
	if err != nil {
		return Published{}, err
	}
	expected := payload.NewSnapshot(after)
	if err := l.writeExpectedSnapshot(expected); err != nil {
		return Published{}, err
	}
	if err := l.saveConfig(); err != nil {
		return Published{}, err
	}
	p := Published{Change: name, VRPsChanged: !slices.Equal(payload.NewSnapshot(before).VRPs, expected.VRPs)}
	return p, pending.announce()
}

// applyChange applies the change of a serial to the in-memory state.
func (l *Lab) applyChange(serial int) (name string, dirty, reset []int, err error) {
	c := changeCatalogue[(serial-2)%len(changeCatalogue)]
	rng := rand.New(rand.NewPCG(l.Config.Seed, uint64(serial)))
	dirty, reset, ok := c.apply(l, rng)
	if !ok {
		return "", nil, nil, fmt.Errorf("lab: serial %d: change %s found nothing to change", serial, c.name)
	}
	if serial == 2 {
		dirty = append(dirty, l.manifestBackwards()...)
		dirty = append(dirty, l.attacksAtFirstPublish()...)
	}
	return c.name, dirty, reset, nil
}

// manifestBackwards applies fault mft-number-backwards: the CA drops its
// last ROA and signs a manifest numbered 1, lower than the one before.
func (l *Lab) manifestBackwards() []int {
	var dirty []int
	for i, f := range l.b.faults {
		if f.name != "mft-number-backwards" || len(l.Plan.CAs[i].ROAs) < 2 {
			continue
		}
		c := &l.Plan.CAs[i]
		l.b.frozen[i] = append([]ROA(nil), c.ROAs...)
		c.ROAs = c.ROAs[:len(c.ROAs)-1]
		l.b.gen[i]++
		l.b.backwards[i] = true
		dirty = append(dirty, i)
	}
	return dirty
}

// replay re-applies the changes of serials 2..Config.Serial after open.
func (l *Lab) replay() error {
	for s := 2; s <= l.Config.Serial; s++ {
		if _, _, _, err := l.applyChange(s); err != nil {
			return err
		}
	}
	return nil
}

// rebuild re-signs the given publication points (and TA certificates).
func (l *Lab) rebuild(dirty []int) error {
	seen := map[int]bool{}
	var list []int
	for _, i := range dirty {
		if !seen[i] {
			seen[i] = true
			list = append(list, i)
		}
	}
	return l.parallel(len(list), func(k int) error {
		i := list[k]
		if l.Plan.CAs[i].Parent < 0 {
			if err := l.writeTA(i); err != nil {
				return err
			}
		}
		files, err := l.b.pubPoint(i)
		if err != nil {
			return err
		}
		return writeFiles(filepath.Join(l.Dir, rsyncDir, l.Plan.ppDir(i)), files)
	})
}

// pickCA picks a live member or child CA of any TA for which ok holds.
func (l *Lab) pickCA(rng *rand.Rand, ok func(i int) bool) (int, bool) {
	n := len(l.Plan.CAs)
	start := rng.IntN(n)
	silent := l.silentCAs()
	for k := 0; k < n; k++ {
		i := (start + k) % n
		c := l.Plan.CAs[i]
		if c.OwnAS.Min != 0 && !silent[i] && l.b.faults[i].name == "" && ok(i) {
			return i, true
		}
	}
	return 0, false
}

// addROA gives a CA one more ROA (a new /22 of its own space).
func addROA(l *Lab, rng *rand.Rand) ([]int, []int, bool) {
	i, ok := l.pickCA(rng, func(i int) bool {
		// The CA's spare EE keys (eeSlackPerCA) bound how many it can add.
		n := len(l.Plan.CAs[i].ROAs)
		return n < maxROAsPerCA && n < l.Preset().ROAsPerCA+eeSlackPerCA-1
	})
	if ok {
		c := &l.Plan.CAs[i]
		c.ROAs = append(c.ROAs, newROA(c, len(c.ROAs), rng))
		l.b.gen[i]++
	}
	return []int{i}, nil, ok
}

// removeROA withdraws a CA's last ROA.
func removeROA(l *Lab, rng *rand.Rand) ([]int, []int, bool) {
	i, ok := l.pickCA(rng, func(i int) bool { return len(l.Plan.CAs[i].ROAs) > 1 })
	if ok {
		c := &l.Plan.CAs[i]
		c.ROAs = c.ROAs[:len(c.ROAs)-1]
		l.b.gen[i]++
	}
	return []int{i}, nil, ok
}

// reissueManifest re-signs the manifest and CRL of the live CA with the
// most children, with the next numbers and a later nextUpdate, changing
// nothing else: what a large parent CA (an RIR's) does all day. Every
// chain below it then expires later.
func reissueManifest(l *Lab, _ *rand.Rand) ([]int, []int, bool) {
	children := make([]int, len(l.Plan.CAs))
	for _, c := range l.Plan.CAs {
		if c.Parent >= 0 {
			children[c.Parent]++
		}
	}
	silent := l.silentCAs()
	best := -1
	for i := range l.Plan.CAs {
		if !silent[i] && l.b.faults[i].name == "" && (best < 0 || children[i] > children[best]) {
			best = i
		}
	}
	if best < 0 {
		return nil, nil, false
	}
	l.b.gen[best]++
	return []int{best}, nil, true
}

// keyRollover moves a CA to a new key (RFC 6489, in one step): its parent
// issues a certificate for the new key and the CA re-signs everything.
func keyRollover(l *Lab, rng *rand.Rand) ([]int, []int, bool) {
	i, ok := l.pickCA(rng, func(int) bool { return true })
	if !ok || l.b.rollovers >= rolloverKeys {
		return nil, nil, false
	}
	l.b.rollKey(i, l.b.rolloverBase+l.b.rollovers)
	l.b.rollovers++
	l.b.gen[i]++
	p := l.Plan.CAs[i].Parent
	l.b.gen[p]++
	return []int{p, i}, nil, true
}

// revokeCA has a member CA's parent revoke its certificate: the CA and
// everything below it drop out.
func revokeCA(l *Lab, rng *rand.Rand) ([]int, []int, bool) {
	i, ok := l.pickCA(rng, func(int) bool { return true })
	if ok {
		p := l.Plan.CAs[i].Parent
		l.b.revoked[p] = append(l.b.revoked[p], x509rpki.RevokedCert{Serial: l.b.caSerial(i), Time: l.Config.Time})
		l.b.revokedCA[i] = true
		l.b.gen[p]++
	}
	return []int{l.Plan.CAs[i].Parent}, nil, ok
}

// sessionReset starts a new RRDP session on one publication server.
func sessionReset(l *Lab, rng *rand.Rand) ([]int, []int, bool) {
	return nil, []int{rng.IntN(l.Plan.Repos)}, true
}

// Preset returns the lab's preset.
func (l *Lab) Preset() Preset { return l.Plan.Preset }
