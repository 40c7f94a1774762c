package webdemo

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// maxStolen bounds the thief's memory: the oldest copies go first.
const maxStolen = 1024

// thief plays the attacker who copied a browser's refresh token. It reads
// the login and refresh answers and keeps, for each access token handed
// out, the refresh token handed out with it: the copy someone with the
// browser's cookie jar would take. Only the demo does this; the session
// package never keeps a refresh token.
type thief struct {
	mu     sync.Mutex
	stolen map[string]string // access token -> refresh token from the same answer
	order  []string          // access tokens, oldest first
}

func newThief() *thief { return &thief{stolen: map[string]string{}} }

// watch serves h, then copies the refresh token it set, if any.
func (t *thief) watch(d *Demo, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		var access, refresh string
		for _, line := range w.Header().Values("Set-Cookie") {
			c, err := http.ParseSetCookie(line)
			if err != nil || c.MaxAge < 0 {
				continue
			}
			switch c.Name {
			case d.accessCookie:
				access = c.Value
			case d.refreshCookie:
				refresh = c.Value
			}
		}
		if access != "" && refresh != "" {
			t.keep(access, refresh)
		}
	})
}

func (t *thief) keep(access, refresh string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.order) == maxStolen {
		delete(t.stolen, t.order[0])
		t.order = t.order[1:]
	}
	t.stolen[access] = refresh
	t.order = append(t.order, access)
}

// take hands over the refresh token issued with this access token, once.
func (t *thief) take(access string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	refresh, ok := t.stolen[access]
	delete(t.stolen, access)
	return refresh, ok
}

// replay presents the browser's stolen refresh token from outside the
// browser, as the attacker, and tells the page what the server answered.
func (d *Demo) replay(w http.ResponseWriter, r *http.Request) {
	access, err := r.Cookie(d.accessCookie)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "No access cookie came with the request."})
		return
	}
	stolen, ok := d.thief.take(access.Value)
	if !ok {
		writeJSON(w, http.StatusConflict, map[string]any{
			"message": "Nothing to steal: the attacker already used the refresh token issued with this access token. Refresh first.",
		})
		return
	}
	status, err := d.presentStolen(r, stolen)
	if err != nil {
		writeJSON(w, http.StatusBadGateway, map[string]any{"message": "The attacker's request failed: " + err.Error()})
		return
	}
	if status != http.StatusOK {
		writeJSON(w, http.StatusConflict, map[string]any{"message": refusedMessage(status)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"message": fmt.Sprintf("The attacker presented this browser's refresh token from outside the browser. "+
			"The server answered %d with a session of the attacker's own: an access token for %s and a new refresh token. "+
			"The token it presented is now spent.", status, seconds(d.cfg.AccessLifetime)),
		"grace_ms": d.cfg.Grace.Milliseconds(),
	})
}

func refusedMessage(status int) string {
	if status == http.StatusBadRequest {
		return "The server refused the stolen refresh token (400): this browser had already used it."
	}
	return fmt.Sprintf("The server answered %d to the stolen refresh token.", status)
}

// attackerTimeout bounds the attacker's request.
const attackerTimeout = 10 * time.Second

// presentStolen sends the attacker's request: a real HTTP request, over
// its own connection, to the address and host the page was served from
// (http or https as the page's own request), carrying nothing but the
// stolen refresh cookie. It never connects elsewhere, whatever the Host
// header says. It returns the server's status.
func (d *Demo) presentStolen(r *http.Request, stolen string) (int, error) {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return 0, errors.New("the demo is not served by an http.Server: no address to send to")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	ctx, cancel := context.WithTimeout(r.Context(), attackerTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, scheme+"://"+r.Host+refreshPath, nil)
	if err != nil {
		return 0, err
	}
	req.AddCookie(&http.Cookie{Name: d.refreshCookie, Value: stolen})
	resp, err := d.attackerClient(local).Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// attackerClient connects to local only, trusting cfg.RootCAs over https,
// with a connection of its own that it does not keep.
func (d *Demo) attackerClient(local net.Addr) *http.Client {
	var dialer net.Dialer
	return &http.Client{
		Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return dialer.DialContext(ctx, local.Network(), local.String())
			},
			TLSClientConfig:   &tls.Config{RootCAs: d.cfg.RootCAs, MinVersion: tls.VersionTLS12},
			DisableKeepAlives: true,
		},
		// The refresh endpoint never redirects; a redirect is not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
