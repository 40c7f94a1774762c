package transport

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServerAuthorization throws arbitrary Authorization headers at the
// middleware: it must answer with a problem, never panic, never reach the
// handler.
func FuzzServerAuthorization(f *testing.F) {
	k := fixtureKeys(f)
	handler := Server(newOpener(f, k, nil))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("handler reached with a fuzzed envelope")
	}))
	for _, s := range []string{"Sealed a.b..c.", "Sealed ....", "sealed " + "eyJhbGciOiJIUEtFLTMifQ.AA..AA.", "Bearer x", "Sealed", ""} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, auth string, bare bool) {
		req := httptest.NewRequest(http.MethodGet, "http://ledger.example/x", nil)
		if bare {
			req = httptest.NewRequest(http.MethodPost, "http://ledger.example/x", strings.NewReader(auth))
			req.Header.Set("Content-Type", BareContentType)
		} else {
			req.Header.Set("Authorization", auth)
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if w.Code < 400 || w.Header().Get("Content-Type") != ProblemContentType {
			t.Fatalf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
		}
	})
}
