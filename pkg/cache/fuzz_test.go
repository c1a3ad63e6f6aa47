package cache

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

// FuzzPackStream checks the streaming pack reader of Commit against
// decodePack, the reader of PubPoint: on any bytes both accept the same
// files or both refuse.
func FuzzPackStream(f *testing.F) {
	f.Add(encodePack(&PubPoint{URI: "rsync://h/m/", Files: []File{{"a.cer", []byte{1}}, {"b.roa", []byte("bb")}}}))
	f.Add(encodePack(&PubPoint{URI: "rsync://h/m/p/", Files: []File{{"", []byte{1}}, {"x", nil}}}))
	f.Add([]byte(packMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		want, wantErr := decodePack(b)
		uri := packURI(b)
		if wantErr == nil {
			uri = want.URI
		}
		got, err := streamPack(bytes.NewReader(b), uri, int64(len(b)))
		switch {
		case wantErr != nil && err == nil:
			t.Fatalf("streaming accepted what decodePack refuses (%v)", wantErr)
		case wantErr == nil && err != nil:
			t.Fatalf("streaming refused what decodePack accepts: %v", err)
		case err != nil && !errors.Is(err, ErrCorrupt):
			t.Fatalf("refusal not marked corrupt: %v", err)
		case wantErr == nil && !slices.EqualFunc(got, want.Files, func(a, b File) bool {
			return a.Name == b.Name && bytes.Equal(a.Data, b.Data)
		}):
			t.Fatal("streaming read other files than decodePack")
		}
	})
}

// packURI returns the URI field of a pack, if it has one.
func packURI(b []byte) string {
	d := decoder{b: bytes.TrimPrefix(b, []byte(packMagic))}
	return string(d.bytes(MaxURILength))
}

// streamPack reads the pack of uri, the size bytes of src, with the
// streaming reader.
func streamPack(src io.ReaderAt, uri string, size int64) ([]File, error) {
	r, err := openPackStream(src, "fuzz", uri, point{Size: size}, nil)
	if err != nil {
		return nil, err
	}
	var files []File
	for {
		more, err := r.more()
		if err != nil {
			return nil, err
		}
		if !more {
			break
		}
		var buf bytes.Buffer
		if err := r.copy(&buf); err != nil {
			return nil, err
		}
		files = append(files, File{Name: r.name, Data: buf.Bytes()})
	}
	return files, r.finish()
}

// FuzzRunIter feeds arbitrary bytes to the run file decoder: no panic, and
// every refusal marked corrupt.
func FuzzRunIter(f *testing.F) {
	o := op{point: "rsync://h/m/p/", name: "a.roa", kind: opReplace, off: 300, n: 7}
	f.Add(appendOp(appendOp(nil, &o), &op{point: "rsync://h/m/p/", name: "b", kind: opWithdraw}))
	f.Fuzz(func(t *testing.T, b []byte) {
		it := &runIter{br: bufio.NewReader(bytes.NewReader(b))}
		for range len(b) + 1 {
			o, ok, err := it.next()
			if err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("refusal not marked corrupt: %v", err)
			}
			if err != nil || !ok {
				return
			}
			if rec := appendOp(nil, &o); len(rec) > len(b) {
				t.Fatalf("decoded an op of %d bytes from %d", len(rec), len(b))
			}
		}
		t.Fatal("more ops than bytes")
	})
}

// fuzzPoints and fuzzNames are the URI space of FuzzUpdate: few enough
// names that ops often meet the same object.
var (
	fuzzPoints = []string{"rsync://h/m/a/", "rsync://h/m/b/", "rsync://h/m/b/c/"}
	fuzzNames  = []string{"x.roa", "y.cer", "x.roa.x", "z.mft"}
	fuzzLimits = Limits{PointFiles: 3, PointBytes: 200, RepoObjects: 8, RepoPoints: 2}
)

// FuzzUpdate runs updates, read from the input, on a repository whose op
// log spills to run files after a few hundred bytes, and on a model of RFC
// 8182 §3.4.2 with the limits: after each update both must hold the same
// objects, and a commit must succeed exactly when the model says so.
// Each update is a header byte (bit 0: reset; bits 1-5: number of ops;
// bits 6-7: op log budget) and two bytes per op (kind, object, whether
// the hash is right, content).
func FuzzUpdate(f *testing.F) {
	f.Add([]byte{0x04, 0x00, 0x05, 0x03, 0x11, 0x05, 0x07, 0x06, 0x00, 0x84, 0x01})
	f.Add([]byte{0x41, 0x00, 0x01, 0x03, 0x02, 0xc8, 0x00, 0x03, 0x00, 0x04, 0x00, 0x05, 0x00, 0x06, 0x00})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 512 {
			return
		}
		s, err := Open(t.TempDir(), Options{Limits: fuzzLimits})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		r, _ := s.Repo(testRepo)
		model := map[string][]byte{}
		for u := 0; len(in) > 0 && u < 8; u++ {
			h := in[0]
			n := min(int(h>>1&31), (len(in)-1)/2)
			ops := in[1 : 1+2*n]
			in = in[1+2*n:]
			next, ok := modelUpdate(model, h&1 == 1, ops)
			err := runUpdate(r, h&1 == 1, 64<<(h>>6), ops, model)
			if ok != (err == nil) {
				t.Fatalf("update %d: commit error %v, model says success %v", u, err, ok)
			}
			if ok {
				model = next
			}
			checkModel(t, r, model)
		}
	})
}

// fuzzOp decodes one op of FuzzUpdate: its kind, URI, content and
// whether to give the right hash.
func fuzzOp(b0, b1 byte) (kind opKind, uri string, data []byte, rightHash bool) {
	kind = opKind(1 + b0%3)
	i := int(b0/3) % (len(fuzzPoints) * len(fuzzNames))
	uri = fuzzPoints[i/len(fuzzNames)] + fuzzNames[i%len(fuzzNames)]
	data = bytes.Repeat([]byte{'a' + b1&7}, 1+int(b1>>3&15)*7)
	return kind, uri, data, b1&0x80 == 0
}

// fuzzHash is the hash an op gives: that of cur when right, else another.
func fuzzHash(cur []byte, right bool) [32]byte {
	if !right {
		cur = append(cur, '!')
	}
	return sha256.Sum256(cur)
}

// runUpdate applies ops to r in one update, with an op log of budget
// bytes; the hashes are computed against model, the committed state, as
// the ops go (so a right hash is right unless an earlier op conflicted).
func runUpdate(r *Repo, reset bool, budget int, ops []byte, model map[string][]byte) error {
	if err := r.Begin(reset); err != nil {
		return err
	}
	r.tx.ops.budget, r.tx.ops.fanIn = budget, 2
	cur := maps.Clone(model)
	if reset {
		clear(cur)
	}
	for i := 0; i+1 < len(ops); i += 2 {
		kind, uri, data, right := fuzzOp(ops[i], ops[i+1])
		var err error
		switch kind {
		case opAdd:
			err = r.Publish(uri, data, nil)
			cur[uri] = data
		case opReplace:
			sum := fuzzHash(cur[uri], right)
			err = r.Publish(uri, data, &sum)
			cur[uri] = data
		case opWithdraw:
			err = r.Withdraw(uri, fuzzHash(cur[uri], right))
			delete(cur, uri)
		}
		if err != nil {
			r.Abort()
			return err
		}
	}
	return r.Commit(nil)
}

// modelUpdate applies ops to committed as RFC 8182 §3.4.2 and the limits
// say, and returns the result and whether the commit succeeds.
func modelUpdate(committed map[string][]byte, reset bool, ops []byte) (map[string][]byte, bool) {
	cur := maps.Clone(committed)
	if reset {
		clear(cur)
	}
	count, ok := len(cur), true
	touched := map[string]bool{}
	guess := maps.Clone(cur) // what runUpdate hashes against
	for i := 0; i+1 < len(ops); i += 2 {
		kind, uri, data, right := fuzzOp(ops[i], ops[i+1])
		held, exists := cur[uri]
		sum := fuzzHash(guess[uri], right)
		touched[uri[:strings.LastIndexByte(uri, '/')+1]] = true
		switch kind {
		case opAdd:
			count++
			ok = ok && !exists && count <= fuzzLimits.RepoObjects
			cur[uri], guess[uri] = data, data
		case opReplace:
			ok = ok && exists && sha256.Sum256(held) == sum
			cur[uri], guess[uri] = data, data
		case opWithdraw:
			count--
			ok = ok && exists && sha256.Sum256(held) == sum
			delete(cur, uri)
			delete(guess, uri)
		}
		if count > fuzzLimits.RepoObjects {
			return nil, false // refused by Publish: the update is aborted
		}
	}
	return cur, ok && modelLimits(committed, cur, touched, reset)
}

// modelLimits checks the per-point limits of the touched points and the
// points-per-repository limit as Commit does: points in URI order, the
// count checked as each point is entered.
func modelLimits(committed, cur map[string][]byte, touched map[string]bool, reset bool) bool {
	points := map[string]bool{}
	if !reset {
		for u := range committed {
			points[u[:strings.LastIndexByte(u, '/')+1]] = true
		}
	}
	for _, p := range slices.Sorted(maps.Keys(touched)) {
		files, size := 0, 0
		for u, d := range cur {
			if strings.HasPrefix(u, p) && !strings.Contains(u[len(p):], "/") {
				files, size = files+1, size+len(d)
			}
		}
		if files == 0 {
			delete(points, p)
			continue
		}
		points[p] = true
		if files > fuzzLimits.PointFiles || size > int(fuzzLimits.PointBytes) || len(points) > fuzzLimits.RepoPoints {
			return false
		}
	}
	return true
}

// checkModel compares the repository's objects with the model's.
func checkModel(t *testing.T, r *Repo, model map[string][]byte) {
	t.Helper()
	got := map[string][]byte{}
	for _, p := range r.PubPoints() {
		pp, err := r.PubPoint(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(pp.Files) == 0 {
			t.Fatalf("empty point %s kept", p)
		}
		for _, f := range pp.Files {
			got[p+f.Name] = f.Data
		}
	}
	if !maps.EqualFunc(got, model, bytes.Equal) {
		t.Fatalf("repository holds %s, model %s", fuzzDump(got), fuzzDump(model))
	}
}

func fuzzDump(m map[string][]byte) string {
	var out []string
	for _, u := range slices.Sorted(maps.Keys(m)) {
		out = append(out, fmt.Sprintf("%s=%.8q", strings.TrimPrefix(u, "rsync://h/m/"), m[u]))
	}
	return strings.Join(out, " ")
}
