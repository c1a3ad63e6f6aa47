// Package lab builds a complete, realistic RPKI offline: a CA hierarchy
// under one or more trust anchors with ROAs, ASPAs and BGPsec router keys,
// published as an rsync tree and as RRDP, served on loopback, changed over
// time, with optional injected faults, and with the output a correct relying
// party must produce (expected VRPs, ASPAs and router keys).
//
// The work is split in steps: plan.go decides the hierarchy and its
// resources from a preset and a seed (pure, no crypto); build.go signs the
// objects; generate.go writes the rsync tree and rrdp.go the RRDP files;
// changes.go makes the next change (lab publish); serve.go serves them;
// expected.go derives the expected output; faults.go and hostile.go break
// chosen objects and responses on purpose.
//
// May import: x509rpki, ca, tal, rrdp, payload, the standard library and zap.
package lab
