package lab

import (
	"fmt"
	"sort"
)

// Preset sizes a lab repository.
type Preset struct {
	Name string
	// TAs is the number of trust anchors. Each has one intermediate CA (as
	// the RIRs run an online CA below an offline TA) holding its members.
	TAs int
	// MembersPerTA is the number of member CAs below each intermediate CA.
	MembersPerTA int
	// ChildEvery gives every ChildEvery-th member ChildrenPerMember
	// delegated child CAs (0: none).
	ChildEvery        int
	ChildrenPerMember int
	// ROAsPerCA is the number of ROAs each member or child CA issues.
	ROAsPerCA int
	// ASPAEvery gives every ASPAEvery-th CA one ASPA (0: none).
	ASPAEvery int
	// RouterKeyEvery gives every RouterKeyEvery-th CA one BGPsec router
	// certificate (0: none).
	RouterKeyEvery int
	// Repositories is the number of publication servers the member and
	// child CAs are spread over (each TA's own CAs publish on repository 0
	// of that TA).
	Repositories int
}

// Presets are the named sizes of `validator lab generate --preset`.
var Presets = map[string]Preset{
	// About 50 CAs and 500 ROAs: quick tests and interop with peers. Seven
	// publication servers: the first for the TA's own CAs, one for each
	// repository fault (`--faults hostile`).
	"small": {Name: "small", TAs: 1, MembersPerTA: 36, ChildEvery: 3, ChildrenPerMember: 1,
		ROAsPerCA: 10, ASPAEvery: 4, RouterKeyEvery: 8, Repositories: 7},
	// Three trust anchors of 18 CAs each (about 300 ROAs in all): faults
	// that take a whole trust anchor away (ta-stall, ta-replay) while the
	// others must stay whole.
	"multi": {Name: "multi", TAs: 3, MembersPerTA: 12, ChildEvery: 3, ChildrenPerMember: 1,
		ROAsPerCA: 6, ASPAEvery: 4, RouterKeyEvery: 8, Repositories: 3},
	// About 2,000 CAs and 20,000 ROAs.
	"medium": {Name: "medium", TAs: 2, MembersPerTA: 800, ChildEvery: 4, ChildrenPerMember: 1,
		ROAsPerCA: 10, ASPAEvery: 4, RouterKeyEvery: 16, Repositories: 20},
	// Close to today's production RPKI: about 40,000 CAs over 5 TAs,
	// 200,000 ROAs giving about 600,000 VRPs, and 10,000 ASPAs.
	"global": {Name: "global", TAs: 5, MembersPerTA: 6400, ChildEvery: 4, ChildrenPerMember: 1,
		ROAsPerCA: 5, ASPAEvery: 4, RouterKeyEvery: 40, Repositories: 60},
}

// LookupPreset returns the named preset.
func LookupPreset(name string) (Preset, error) {
	p, ok := Presets[name]
	if !ok {
		names := make([]string, 0, len(Presets))
		for n := range Presets {
			names = append(names, n)
		}
		sort.Strings(names)
		return Preset{}, fmt.Errorf("lab: unknown preset %q (have %v)", name, names)
	}
	return p, nil
}

// validate checks that the preset fits the address plan of plan.go.
func (p Preset) validate() error {
	switch {
	case p.TAs < 1 || p.TAs > maxTAs:
		return fmt.Errorf("lab: preset %s: TAs must be 1..%d", p.Name, maxTAs)
	case p.MembersPerTA < 1 || p.MembersPerTA > maxMembersPerTA:
		return fmt.Errorf("lab: preset %s: MembersPerTA must be 1..%d", p.Name, maxMembersPerTA)
	case p.ChildrenPerMember < 0 || p.ChildrenPerMember > maxChildrenPerMember:
		return fmt.Errorf("lab: preset %s: ChildrenPerMember must be 0..%d", p.Name, maxChildrenPerMember)
	case p.ROAsPerCA < 0 || p.ROAsPerCA > maxROAsPerCA:
		return fmt.Errorf("lab: preset %s: ROAsPerCA must be 0..%d", p.Name, maxROAsPerCA)
	case p.Repositories < 1:
		return fmt.Errorf("lab: preset %s: Repositories must be at least 1", p.Name)
	}
	return nil
}
