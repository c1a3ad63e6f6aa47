package slurm

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
)

// ref names one entry of one file, for overlap reports.
type ref struct {
	file int
	path string
}

// pfxRef is a prefix of a filter or assertion with where it came from.
type pfxRef struct {
	p netip.Prefix
	ref
}

// checkOverlap enforces RFC 8416 §4.2: an RP that uses several SLURM files
// must make sure they do not overlap, and must not use a set of files that
// does. Overlap is checked between different files only (one file may
// filter 10.0.0.0/8 and assert 10.1.0.0/16 on purpose):
//
//   - prefixes of prefix filters and prefix assertions: one contains the
//     other (equal prefixes included);
//   - BGPsec filters and assertions: the same asn, or the same SKI;
//   - ASPA filters and assertions (draft-ietf-sidrops-aspa-slurm-03): the
//     same customerAsn, extending the same rule to the new members.
func checkOverlap(files []*File) error {
	if len(files) < 2 {
		return nil
	}
	if err := checkPrefixOverlap(files); err != nil {
		return err
	}
	if err := checkKeyOverlap(files, "asn", bgpsecASNs); err != nil {
		return err
	}
	if err := checkKeyOverlap(files, "SKI", bgpsecSKIs); err != nil {
		return err
	}
	return checkKeyOverlap(files, "customerAsn", aspaCustomers)
}

// checkPrefixOverlap sorts every prefix by family, address and length, so
// that a prefix comes after all prefixes containing it, and walks the list
// keeping the chain of enclosing prefixes on a stack: each prefix is
// compared with its enclosing prefixes only, O(n log n + n·129).
func checkPrefixOverlap(files []*File) error {
	all := collectPrefixes(files)
	slices.SortFunc(all, func(a, b pfxRef) int {
		return cmp.Or(a.p.Addr().Compare(b.p.Addr()), cmp.Compare(a.p.Bits(), b.p.Bits()))
	})
	var stack []pfxRef
	for _, x := range all {
		for len(stack) > 0 && !contains(stack[len(stack)-1].p, x.p) {
			stack = stack[:len(stack)-1]
		}
		for _, up := range stack {
			if up.file != x.file {
				return overlapError(files, up.ref, x.ref, fmt.Sprintf("prefix %v overlaps %v", up.p, x.p))
			}
		}
		stack = append(stack, x)
	}
	return nil
}

// contains reports whether outer contains inner (equal included).
func contains(outer, inner netip.Prefix) bool {
	return outer.Addr().Is4() == inner.Addr().Is4() && outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

func collectPrefixes(files []*File) []pfxRef {
	var all []pfxRef
	for i, f := range files {
		for j, pf := range f.PrefixFilters {
			if pf.Prefix.IsValid() {
				all = append(all, pfxRef{pf.Prefix, ref{i, entryPath(pathPrefixFilters, j)}})
			}
		}
		for j, pa := range f.PrefixAssertions {
			all = append(all, pfxRef{pa.VRP.Prefix(), ref{i, entryPath(pathPrefixAssertions, j)}})
		}
	}
	return all
}

// keyed lists the keys of one kind in one file, with their paths.
type keyed[K comparable] func(f *File, yield func(k K, path string))

func bgpsecASNs(f *File, yield func(uint32, string)) {
	for j, bf := range f.BGPsecFilters {
		if bf.HasASN {
			yield(bf.ASN, entryPath(pathBGPsecFilters, j))
		}
	}
	for j, ba := range f.BGPsecAssertions {
		yield(ba.Key.ASN, entryPath(pathBGPsecAssertions, j))
	}
}

func bgpsecSKIs(f *File, yield func([20]byte, string)) {
	for j, bf := range f.BGPsecFilters {
		if bf.HasSKI {
			yield(bf.SKI, entryPath(pathBGPsecFilters, j))
		}
	}
	for j, ba := range f.BGPsecAssertions {
		yield(ba.Key.SKI, entryPath(pathBGPsecAssertions, j))
	}
}

func aspaCustomers(f *File, yield func(uint32, string)) {
	for j, af := range f.ASPAFilters {
		yield(af.Customer, entryPath(pathASPAFilters, j))
	}
	for j, aa := range f.ASPAAssertions {
		yield(aa.ASPA.Customer, entryPath(pathASPAAssertions, j))
	}
}

// checkKeyOverlap rejects a key (ASN, SKI) that appears in two files.
func checkKeyOverlap[K comparable](files []*File, what string, keys keyed[K]) error {
	seen := make(map[K]ref)
	var err error
	for i, f := range files {
		keys(f, func(k K, path string) {
			if err != nil {
				return
			}
			if first, ok := seen[k]; ok && first.file != i {
				err = overlapError(files, first, ref{i, path}, fmt.Sprintf("the same %s %s", what, keyString(k)))
				return
			}
			if _, ok := seen[k]; !ok {
				seen[k] = ref{i, path}
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func keyString[K comparable](k K) string {
	if ski, ok := any(k).([20]byte); ok {
		return slurmBase64.EncodeToString(ski[:])
	}
	return fmt.Sprint(k)
}

// overlapError names both files and both members.
func overlapError(files []*File, a, b ref, what string) error {
	return &Error{
		File:    fileName(files, b.file),
		Path:    b.path,
		Section: secOverlap,
		Err:     ErrOverlap,
		Msg: fmt.Sprintf("overlaps %s %s: %s; a set of overlapping SLURM files must not be used",
			fileName(files, a.file), a.path, what),
	}
}

// fileName is the name of files[i], or "file #N" for a File from Parse.
func fileName(files []*File, i int) string {
	if files[i].Name == "" {
		return fmt.Sprintf("file #%d", i+1)
	}
	return files[i].Name
}
