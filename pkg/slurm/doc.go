// Package slurm implements Simplified Local Internet Number Resource
// Management with the RPKI (SLURM, RFC 8416): local filters that remove
// validated payload and local assertions that add payload, for VRPs and
// BGPsec router keys, plus the ASPA extension.
//
// The ASPA extension follows draft-ietf-sidrops-aspa-slurm-03 (the text in
// the authors' repository job/draft-sidrops-aspa-slurm): "slurmVersion" 2,
// "aspaFilters" entries {customerAsn, comment} and "aspaAssertions" entries
// {customerAsn, providerAsns, comment}. Version 1 files must have exactly the
// RFC 8416 members; version 2 files must have exactly the draft's three
// filter and three assertion members.
//
// Parsing is strict, in the spirit of rpki-client: member names match
// exactly (no case folding, unlike encoding/json), duplicate members,
// unknown members, null values and invalid UTF-8 are rejected, and every
// error names the file, the JSON path of the member and the RFC section.
// Load reads several files all-or-nothing and rejects a set whose files
// overlap (RFC 8416 §4.2).
//
// A Policy is applied to payload after validation and before the RTR table
// is built (RFC 8416 §4): filters first, then assertions, which are never
// filtered. The package works on payload values only, so that callers which
// annotate payload (trust anchor, expiry) keep their annotations: they ask
// FilterVRP/FilterASPA/FilterKey per record and append AssertedVRPs,
// AssertedASPAs and AssertedKeys. Apply does both for a payload.Set.
//
// May import: the standard library and pkg/payload only.
package slurm
