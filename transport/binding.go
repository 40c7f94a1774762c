package transport

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/sealjwt/sealjwt"
)

// requestClaims are the claims that bind an envelope to one HTTP request,
// after DPoP (RFC 9449 section 4.2): the method and the target URI, plus
// the plaintext content type and whether an encrypted body follows.
type requestClaims struct {
	Method      string `json:"htm"`
	URI         string `json:"htu"`
	ContentType string `json:"hct,omitempty"`
	Body        bool   `json:"hbd"`
	// Fields are the sealed request headers: a Binary HTTP field section.
	Fields sealjwt.Binary `json:"hfs,omitempty"`
}

// targetURI is the htu of r as the server received it: scheme, host, path
// and query, no fragment. Including the query (DPoP leaves it out) stops a
// captured envelope being used for the same path with other parameters.
func targetURI(r *http.Request, base string) string {
	if base != "" {
		return strings.TrimSuffix(base, "/") + r.URL.RequestURI()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return htu(scheme, r)
}

// clientTargetURI is the htu as the client addresses the request.
func clientTargetURI(r *http.Request) string { return htu(r.URL.Scheme, r) }

// htu joins scheme, the request's host (Host, else the URL's) and its
// request URI, with scheme and host in lower case.
func htu(scheme string, r *http.Request) string {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	return strings.ToLower(scheme) + "://" + strings.ToLower(host) + r.URL.RequestURI()
}

// read fills rc from m's request claims, which the token layer matched
// by name byte for byte (a case variant such as "HTM" was refused there).
// Each value is decoded on its own, so no name is matched by
// encoding/json's case folding.
func (rc *requestClaims) read(m *sealjwt.Message) error {
	for _, c := range []struct {
		name string
		to   any
	}{{"htm", &rc.Method}, {"htu", &rc.URI}, {"hct", &rc.ContentType}, {"hbd", &rc.Body}, {"hfs", &rc.Fields}} {
		raw, err := m.Claim(c.name)
		if err != nil {
			return err
		}
		if raw == nil {
			continue
		}
		if err := json.Unmarshal(raw, c.to); err != nil {
			return fmt.Errorf("%w: claim %q: %v", sealjwt.ErrClaims, c.name, err)
		}
	}
	return nil
}

// checkBinding refuses a message whose htm/htu do not match r.
func checkBinding(m *sealjwt.Message, rc *requestClaims, r *http.Request, base string) error {
	if err := rc.read(m); err != nil {
		return err
	}
	if rc.Method != r.Method {
		return fmt.Errorf("%w: method %q", sealjwt.ErrBinding, rc.Method)
	}
	if want := targetURI(r, base); rc.URI != want {
		return fmt.Errorf("%w: target %q", sealjwt.ErrBinding, rc.URI)
	}
	return nil
}
