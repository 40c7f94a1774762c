package webdemo

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
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
	req := httptest.NewRequestWithContext(r.Context(), http.MethodPost, refreshPath, nil)
	req.AddCookie(&http.Cookie{Name: d.refreshCookie, Value: stolen})
	answer := httptest.NewRecorder()
	d.refresh.ServeHTTP(answer, req)
	if answer.Code != http.StatusOK {
		writeJSON(w, http.StatusConflict, map[string]any{
			"message": fmt.Sprintf("The server refused the stolen refresh token (%d): this browser had already used it.", answer.Code),
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"message": fmt.Sprintf("The attacker presented this browser's refresh token from outside the browser. "+
			"The server answered %d with a session of the attacker's own: an access token for %s and a new refresh token. "+
			"The token it presented is now spent.", answer.Code, seconds(d.cfg.AccessLifetime)),
		"grace_ms": d.cfg.Grace.Milliseconds(),
	})
}
