package transport

import (
	"testing"

	"github.com/sealjwt/sealjwt/internal/problem"
)

// TestProblemContentTypeIsTheWritersOwn: the constant users compare with
// is the media type the one problem writer sets.
func TestProblemContentTypeIsTheWritersOwn(t *testing.T) {
	if ProblemContentType != problem.ContentType {
		t.Fatalf("ProblemContentType %q, the writer sets %q", ProblemContentType, problem.ContentType)
	}
}
