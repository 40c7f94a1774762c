// Package problem writes RFC 9457 problem details: the one error body of
// the transport middleware and of the session handlers.
package problem

import (
	"encoding/json"
	"net/http"
)

// ContentType is the media type of a problem detail.
const ContentType = "application/problem+json"

// Details is an RFC 9457 problem detail. It says what class of failure
// happened and nothing more: no crypto detail, no input echoed. Error,
// when set, is an RFC 6749 section 5.2 or RFC 6750 section 3.1 error
// code, for OAuth clients.
type Details struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}

// Write answers with status and a problem+json body titled title, with
// the OAuth error code when code is not empty. Headers the caller set
// before (WWW-Authenticate, Retry-After) are kept; a Content-Length set
// for another body is dropped. The answer is never cached.
func Write(w http.ResponseWriter, status int, title, code string) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Details{Type: "about:blank", Title: title, Status: status, Error: code})
}
