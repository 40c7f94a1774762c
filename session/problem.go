package session

import (
	"encoding/json"
	"net/http"
)

// problem is an RFC 9457 problem detail. Error, when set, is the RFC 6749
// section 5.2 or RFC 6750 section 3.1 error code, for OAuth clients.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}

// writeProblem answers with an application/problem+json body that says
// what class of failure happened and nothing more.
func writeProblem(w http.ResponseWriter, status int, title, code string) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: title, Status: status, Error: code})
}

// retryAfter is what a 503 asks the client to wait, in seconds: a store
// call gives up after its timeout (1 second by default) and commits
// nothing, so a retry after that is safe and likely to find it back.
const retryAfter = "1"

// writeUnavailable answers a request the store could not serve in time.
func writeUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", retryAfter)
	writeProblem(w, http.StatusServiceUnavailable, "session store unavailable", "")
}
