package strict

import (
	"errors"
	"strings"
	"testing"

	"github.com/sealjwt/sealjwt/internal/errs"
)

func TestBase64RejectsNonCanonical(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
	}{
		{"canonical", "AQI", true},
		{"empty", "", true},
		{"padding", "AQI=", false},
		{"std alphabet plus", "+/8", false},
		{"newline skipped by encoding/base64", "AQ\nI", false},
		{"carriage return", "AQ\rI", false},
		{"space", "AQ I", false},
		{"spare bits set in last char", "AQJ", false},
		{"impossible length", "A", false},
		{"non-ascii", "AQ\u00e9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Base64(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("Base64(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if err != nil && !errors.Is(err, errs.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			buf := make([]byte, DecodedLen(len(tt.in)))
			if _, err2 := Base64Into(buf, tt.in); (err2 == nil) != tt.ok {
				t.Fatalf("Base64Into(%q) err = %v, want ok=%v", tt.in, err2, tt.ok)
			}
		})
	}
}

func TestBase64IntoShortBuffer(t *testing.T) {
	if _, err := Base64Into(make([]byte, 1), "AQID"); err == nil {
		t.Fatal("short destination accepted")
	}
}

func TestObjectRejectsDuplicatesAndTrickery(t *testing.T) {
	deep := strings.Repeat(`{"a":`, MaxDepth+2) + "1" + strings.Repeat("}", MaxDepth+2)
	deepArr := `{"a":` + strings.Repeat("[", MaxDepth+2) + strings.Repeat("]", MaxDepth+2) + "}"
	tests := []struct {
		name, in string
		keys     []string
		dup      bool
	}{
		{"plain object", `{"alg":"HPKE-0","kid":"k"}`, []string{"alg", "kid"}, false},
		{"duplicate alg member", `{"alg":"HPKE-0","alg":"HPKE-3"}`, nil, true},
		{"duplicate nested member", `{"a":{"b":1,"b":2}}`, nil, true},
		{"duplicate inside array", `{"a":[{"b":1,"b":2}]}`, nil, true},
		{"escaped duplicate", `{"alg":1,"\u0061lg":2}`, nil, true},
		{"case variants are distinct JSON names", `{"exp":1,"EXP":2}`, []string{"exp", "EXP"}, false},
		{"array at top", `[1]`, nil, false},
		{"string at top", `"x"`, nil, false},
		{"trailing object", `{"a":1}{"a":2}`, nil, false},
		{"trailing garbage", `{"a":1} x`, nil, false},
		{"truncated", `{"a":`, nil, false},
		{"nesting too deep", deep, nil, false},
		{"array nesting too deep", deepArr, nil, false},
		{"empty", ``, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := Object([]byte(tt.in))
			if tt.keys != nil {
				if err != nil {
					t.Fatalf("Object(%q) = %v", tt.in, err)
				}
				if strings.Join(keys, ",") != strings.Join(tt.keys, ",") {
					t.Fatalf("keys = %v, want %v", keys, tt.keys)
				}
				return
			}
			if err == nil {
				t.Fatalf("Object(%q) accepted", tt.in)
			}
			if !errors.Is(err, errs.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			if tt.dup != errors.Is(err, ErrDuplicate) {
				t.Fatalf("error %v: duplicate = %v, want %v", err, errors.Is(err, ErrDuplicate), tt.dup)
			}
		})
	}
}

func FuzzObject(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":{"b":[1,{"c":2}]}}`, `{"a":1,"a":2}`, `[]`, `{"a":"\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := Object(data)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, k := range keys {
			if seen[k] {
				t.Fatalf("duplicate %q accepted", k)
			}
			seen[k] = true
		}
	})
}

func FuzzBase64(f *testing.F) {
	for _, s := range []string{"", "AQI", "AQID", "AQ==", "A", "-_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Base64(s)
		if err != nil {
			return
		}
		if Encode(b) != s {
			t.Fatalf("accepted non-canonical %q", s)
		}
	})
}
