package payload

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func fixedTime(sec int) time.Time { return time.Unix(1_700_000_000+int64(sec), 0).UTC() }

func TestNewVRP(t *testing.T) {
	tests := []struct {
		prefix  string
		maxLen  uint8
		wantErr string
		want    string
	}{
		{"192.0.2.0/24", 24, "", "192.0.2.0/24-24 AS65000"},
		{"192.0.2.0/24", 0, "", "192.0.2.0/24-24 AS65000"},
		{"2001:db8::/32", 48, "", "2001:db8::/32-48 AS65000"},
		{"192.0.2.1/24", 24, "host bits", ""},
		{"192.0.2.0/24", 23, "maxLength 23", ""},
		{"192.0.2.0/24", 33, "maxLength 33", ""},
		{"2001:db8::/32", 129, "maxLength 129", ""},
	}
	for _, tc := range tests {
		v, err := NewVRP(mustPrefix(tc.prefix), tc.maxLen, 65000)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("NewVRP(%s, %d) err = %v, want %q", tc.prefix, tc.maxLen, err, tc.wantErr)
			}
			continue
		}
		if err != nil || v.String() != tc.want || v.Prefix() != mustPrefix(tc.prefix) {
			t.Errorf("NewVRP(%s, %d) = %v, %v; want %s", tc.prefix, tc.maxLen, v, err, tc.want)
		}
	}
}

func TestSnapshotSortDedup(t *testing.T) {
	var set Set
	for _, s := range []string{"2001:db8::/32", "10.0.0.0/8", "192.0.2.0/24", "10.0.0.0/8", "10.0.0.0/16"} {
		v, err := NewVRP(mustPrefix(s), 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		set.VRPs = append(set.VRPs, v)
	}
	got := NewSnapshot(set).VRPs
	want := []string{"10.0.0.0/8-8 AS1", "10.0.0.0/16-16 AS1", "192.0.2.0/24-24 AS1", "2001:db8::/32-32 AS1"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("VRPs[%d] = %v, want %s", i, got[i], want[i])
		}
	}
}
