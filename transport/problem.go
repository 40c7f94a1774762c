package transport

import (
	"errors"
	"net/http"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/problem"
	"github.com/sealjwt/sealjwt/replay"
)

// ProblemContentType is the media type of every error the middleware
// writes (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem detail, as the middleware writes it, for
// a client to decode. The middleware never puts crypto detail in it: the
// title says what class of failure, nothing more.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
}

// errorStatus maps an Open failure to its HTTP status and public title.
func errorStatus(err error) (int, string) {
	switch {
	case errors.Is(err, ErrMisdirected):
		return http.StatusMisdirectedRequest, "misdirected request"
	case errors.Is(err, ErrSlowRequest):
		return http.StatusRequestTimeout, "request timeout"
	case errors.Is(err, sealjwt.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, "request too large"
	case errors.Is(err, sealjwt.ErrUnknownKey):
		return http.StatusUnprocessableEntity, "unknown recipient key"
	case errors.Is(err, sealjwt.ErrReplayed):
		return http.StatusConflict, "replayed request"
	case errors.Is(err, replay.ErrReset):
		return http.StatusConflict, "issued before the replay store's memory began"
	case errors.Is(err, sealjwt.ErrReplayUnavailable), errors.Is(err, replay.ErrFull):
		return http.StatusServiceUnavailable, "replay protection unavailable"
	case errors.Is(err, sealjwt.ErrAudience), errors.Is(err, sealjwt.ErrBinding):
		return http.StatusForbidden, "not allowed"
	case errors.Is(err, sealjwt.ErrMalformed), errors.Is(err, sealjwt.ErrUnsupported):
		return http.StatusBadRequest, "malformed request"
	default:
		return http.StatusUnauthorized, "not authenticated"
	}
}

// writeProblem writes a problem+json response for status; a 401 names
// the authentication scheme expected (RFC 9110 section 11.6.1).
func writeProblem(w http.ResponseWriter, status int, title, scheme string) {
	if status == http.StatusUnauthorized && scheme != "" {
		w.Header().Set("WWW-Authenticate", scheme)
	}
	problem.Write(w, status, title, "")
}
