package cli

import (
	"errors"
	"testing"
	"time"
)

func TestParseAgeTakesDays(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90d", 90 * 24 * time.Hour, true},
		{"36h", 36 * time.Hour, true},
		{"1d", 24 * time.Hour, true},
		{"0d", 0, false},
		{"-1h", 0, false},
		{"99999999d", 0, false}, // past time.Duration
		{"d", 0, false},
		{"1.5d", 0, false},
	} {
		got, err := ParseAge(tc.in)
		var ue *UsageError
		if tc.ok != (err == nil) || got != tc.want || (err != nil && !errors.As(err, &ue)) {
			t.Errorf("ParseAge(%q) = %v, %v", tc.in, got, err)
		}
	}
}
