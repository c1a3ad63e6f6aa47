package config

import "testing"

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "80MiB": 80 << 20, "1GiB": 1 << 30, "500000000": 5e8, "64KiB": 64 << 10,
		"100MB": 1e8, "2GB": 2e9, "7B": 7,
	} {
		if got, err := ParseByteSize(in); err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "MiB", "1.5GiB", "12XB", "9999999999999GiB"} {
		if _, err := ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q) accepted", bad)
		}
	}
}

// A size reads back as written in its largest exact binary unit.
func TestByteSizeText(t *testing.T) {
	for in, want := range map[string]string{"0": "0", "300MiB": "300MiB", "1024MiB": "1GiB", "1000": "1000", "2KiB": "2KiB"} {
		var b ByteSize
		if err := b.UnmarshalText([]byte(in)); err != nil {
			t.Fatal(err)
		}
		if out, _ := b.MarshalText(); string(out) != want {
			t.Errorf("%s reads back as %s, want %s", in, out, want)
		}
	}
}
