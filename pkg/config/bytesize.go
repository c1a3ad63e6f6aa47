package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ByteSize is a number of bytes, written with an optional unit: 80MiB,
// 1GiB, 500MB or 500000000.
type ByteSize int64

// UnmarshalText reads a size (ParseByteSize).
func (b *ByteSize) UnmarshalText(text []byte) error {
	n, err := ParseByteSize(string(text))
	if err != nil {
		return err
	}
	*b = ByteSize(n)
	return nil
}

// MarshalText writes the size as String does.
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// String writes the size in its largest exact binary unit (300MiB, 1GiB),
// or in bytes.
func (b ByteSize) String() string {
	switch n := int64(b); {
	case n != 0 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n != 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n != 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	default:
		return strconv.FormatInt(n, 10)
	}
}

// byteUnits are the suffixes ParseByteSize accepts, longest first.
var byteUnits = []struct {
	suffix string
	scale  int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1},
}

// ParseByteSize reads a non-negative byte count with an optional unit.
func ParseByteSize(s string) (int64, error) {
	num, scale := s, int64(1)
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			num, scale = rest, u.scale
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/scale {
		return 0, fmt.Errorf("%q is not a size (such as 80MiB, 1GiB or 0)", s)
	}
	return n * scale, nil
}

// MemoryLimit is the daemon's soft memory limit setting: a size, 0 for the
// runtime's own (GOMEMLIMIT, or none), or "auto" (Auto set): a limit that
// follows the live heap, which the daemon sets after each run.
type MemoryLimit struct {
	Auto bool
	Size ByteSize
}

// AutoMemoryLimit is the "auto" setting, the default.
var AutoMemoryLimit = MemoryLimit{Auto: true}

// UnmarshalText reads "auto" or a size (ParseByteSize).
func (m *MemoryLimit) UnmarshalText(text []byte) error {
	if string(text) == "auto" {
		*m = AutoMemoryLimit
		return nil
	}
	var b ByteSize
	if err := b.UnmarshalText(text); err != nil {
		return fmt.Errorf("%w (or auto)", err)
	}
	*m = MemoryLimit{Size: b}
	return nil
}

// MarshalText writes the setting as String does.
func (m MemoryLimit) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// String writes "auto" or the size.
func (m MemoryLimit) String() string {
	if m.Auto {
		return "auto"
	}
	return m.Size.String()
}
