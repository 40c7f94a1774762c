package strict

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
		})
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

// FuzzObject checks the scanner against the reference built on
// encoding/json: on valid UTF-8 both must agree on acceptance and names;
// invalid UTF-8 must be refused.
func FuzzObject(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"a":{"b":[1,{"c":2}]}}`, `{"a":1,"a":2}`, `[]`, `{"a":"\u0000"}`,
		`{"\ud800":1,"\ud801":2}`, `{"a":-0.5e+7,"b":[true,false,null]}`, `{"a":01}`, ` {"x":"\u00e9"} `} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := Object(data)
		if !utf8.Valid(data) {
			if err == nil {
				t.Fatalf("accepted invalid UTF-8 %q", data)
			}
			return
		}
		want, wantErr := oracleObject(data)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("Object(%q): err %v, reference %v", data, err, wantErr)
		}
		if err == nil && strings.Join(keys, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("Object(%q) = %q, reference %q", data, keys, want)
		}
		if err != nil && !errors.Is(err, errs.ErrMalformed) {
			t.Fatalf("error %v is not ErrMalformed", err)
		}
	})
}

func TestMembersGivesRawValues(t *testing.T) {
	var got []string
	err := Members([]byte(` { "a" : [1, {"b":2}] , "c":"x\"y" ,"d":-1.5e3}`), func(name string, v []byte) error {
		got = append(got, name+"="+string(v))
		return nil
	})
	want := `a=[1, {"b":2}]|c="x\"y"|d=-1.5e3`
	if err != nil || strings.Join(got, "|") != want {
		t.Fatalf("Members = %q, %v; want %q", strings.Join(got, "|"), err, want)
	}
	stop := errors.New("stop")
	if err := Members([]byte(`{"a":1,"b":2}`), func(string, []byte) error { return stop }); err != stop {
		t.Fatalf("callback error = %v, want it returned as is", err)
	}
}

func TestObjectManyMembersLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 50000 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"k%d":%d`, i, i)
	}
	b.WriteString(`,"k49999":0}`)
	start := time.Now()
	if _, err := Object([]byte(b.String())); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate at the end of 50000 members: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("50000 members took %v: not linear", d)
	}
}

func BenchmarkObject(b *testing.B) {
	claims := []byte(`{"iss":"billing","sub":"order-4711","aud":["ledger"],"exp":1790000000,"iat":1789999700,"jti":"q2Xo3nF4x8bQeJ0nT6bYfA","data":"` + strings.Repeat("d", 200) + `"}`)
	b.Run("impl=scanner", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Object(claims); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=encoding-json-tokens", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := oracleObject(claims); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Base64 accepts exactly what encoding/base64's strict decoder does, less
// line breaks, and decodes it to the same bytes.
func FuzzBase64(f *testing.F) {
	for _, s := range []string{"", "AQI", "AQID", "AQ==", "A", "-_", "AQJ", "AB", "ABC", "ABCD\n", "____", "AQ\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Base64(s)
		want, werr := base64.RawURLEncoding.Strict().DecodeString(s)
		if strings.ContainsAny(s, "\r\n") {
			werr = errors.New("line break")
		}
		if (err == nil) != (werr == nil) || !bytes.Equal(b, want) && err == nil {
			t.Fatalf("Base64(%q) = %x, %v; encoding/base64: %x, %v", s, b, err, want, werr)
		}
		if err == nil && Encode(b) != s {
			t.Fatalf("accepted non-canonical %q", s)
		}
	})
}

// Every length and every byte value in every position of a group round
// trips, and any one character changed to one outside the alphabet is
// refused, wherever it is.
func TestBase64EveryPositionAndLength(t *testing.T) {
	for n := range 40 {
		in := make([]byte, n)
		for i := range in {
			in[i] = byte(i*37 + n*11)
		}
		enc := Encode(in)
		if out, err := Base64(enc); err != nil || !bytes.Equal(out, in) {
			t.Fatalf("length %d: %x, %v", n, out, err)
		}
		for i := range len(enc) {
			for _, c := range []byte{'=', '+', '/', '.', '\n', 0, 0x80, 0xff} {
				bad := []byte(enc)
				bad[i] = c
				if _, err := Base64(string(bad)); err == nil {
					t.Fatalf("length %d: %q at %d accepted", n, c, i)
				}
			}
		}
	}
	for v := range 256 {
		enc := Encode([]byte{byte(v), byte(255 - v), byte(v * 7)})
		if out, err := Base64(enc); err != nil || out[0] != byte(v) || out[1] != byte(255-v) || out[2] != byte(v*7) {
			t.Fatalf("%d: %x, %v", v, out, err)
		}
	}
}

// Split counts segments exactly, and a long run of dots neither allocates
// nor is mistaken for a shorter serialization.
func TestSplitCountsSegments(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 1}, {"a", 1}, {"a.b", 2}, {"a.b.c", 3}, {"..", 3}, {"a.b.c.d", 4},
		{strings.Repeat(".", 1<<16), 4},
	} {
		var seg [3]string
		if got := Split(tc.in, seg[:]); got != tc.want {
			t.Errorf("Split(%.16q) = %d, want %d", tc.in, got, tc.want)
		}
	}
	var seg [5]string
	if n := Split("h.k..c.", seg[:]); n != 5 || seg != [5]string{"h", "k", "", "c", ""} {
		t.Fatalf("Split of a JWE = %d %q", n, seg)
	}
	dots := strings.Repeat(".", 1<<20)
	if a := testing.AllocsPerRun(10, func() { Split(dots, seg[:]) }); a != 0 {
		t.Fatalf("Split allocates %v times", a)
	}
}

// FuzzSplit checks that the segments Split returns join back to the input
// whenever it reports no more segments than it was given room for.
func FuzzSplit(f *testing.F) {
	f.Add("a.b.c")
	f.Add("h.k..c.")
	f.Fuzz(func(t *testing.T, s string) {
		var seg [5]string
		n := Split(s, seg[:])
		if n < 1 || n > 6 {
			t.Fatalf("Split = %d", n)
		}
		if n <= 5 && strings.Join(seg[:n], ".") != s {
			t.Fatalf("segments %q do not join to %q", seg[:n], s)
		}
		if n <= 5 && strings.Count(s, ".") != n-1 {
			t.Fatalf("Split = %d for %d dots", n, strings.Count(s, "."))
		}
	})
}

// plain8 passes a word only when every byte is one a string's fast path
// may skip, for every byte value at every position and neighbours that
// would hide a borrow.
func TestPlain8EveryByteAtEveryPosition(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c != '"' && c != '\\' && c < 0x80 }
	for _, fill := range []byte{'a', ' ', '!', '#', '[', ']', 0x7f} {
		for pos := range 8 {
			for c := range 256 {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(c)
				got := plain8(binary.LittleEndian.Uint64(w))
				if want := plain(byte(c)); got != want {
					t.Fatalf("fill %q, byte %#x at %d: plain8 = %v, want %v", fill, c, pos, got, want)
				}
			}
		}
	}
}

// BenchmarkBase64 decodes a post-quantum envelope's worth of base64url.
func BenchmarkBase64(b *testing.B) {
	enc := Encode(bytes.Repeat([]byte{0x5a, 0xc3, 0x17}, 2600))
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := Base64(enc); err != nil {
			b.Fatal(err)
		}
	}
}
