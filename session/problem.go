package session

import (
	"net/http"

	"github.com/sealjwt/sealjwt/internal/problem"
)

// writeProblem answers with an application/problem+json body that says
// what class of failure happened and nothing more; code, when set, is the
// OAuth error code.
var writeProblem = problem.Write

// retryAfter is what a 503 asks the client to wait, in seconds: a store
// call gives up after its timeout (1 second by default) and commits
// nothing, so a retry after that is safe and likely to find it back.
const retryAfter = "1"

// writeUnavailable answers a request the store could not serve in time.
func writeUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", retryAfter)
	writeProblem(w, http.StatusServiceUnavailable, "session store unavailable", "")
}
