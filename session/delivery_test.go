package session

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// How each request is answered under each delivery (RFC 6749 section
// 5.1 for the token response): tokens in the body, cookies, or a 400
// that says the server does not deliver that way. No answer is a token
// response without its tokens.
func TestDeliveryChosenPerRequest(t *testing.T) {
	const (
		body    = "token response"
		cookies = "cookies"
		refused = "400"
	)
	login := func(accept string) func(*Manager, string) (http.Handler, sessionRequest) {
		return func(m *Manager, _ string) (http.Handler, sessionRequest) {
			h := m.LoginHandler(func(*http.Request) (Grant, error) { return Grant{Subject: "alice", Scopes: []string{"read"}}, nil })
			return h, sessionRequest{target: httpsHost + "/auth/login", contentType: formType, body: "user=alice",
				header: []string{"Accept", accept}}
		}
	}
	refreshByCookie := func(m *Manager, tok string) (http.Handler, sessionRequest) {
		_, name := m.CookieNames()
		return m.RefreshHandler(), sessionRequest{target: httpsHost + DefaultRefreshPath, header: withCookie(name, tok)}
	}
	refreshByForm := func(m *Manager, tok string) (http.Handler, sessionRequest) {
		return m.RefreshHandler(), sessionRequest{target: httpsHost + DefaultRefreshPath, contentType: formType, body: refreshForm(tok)}
	}
	requests := []struct {
		name string
		make func(*Manager, string) (http.Handler, sessionRequest)
		want map[Delivery]string
	}{
		{"login, browser Accept", login("text/html,*/*"), map[Delivery]string{
			DeliverPerRequest: cookies, DeliverCookies: cookies, DeliverTokenResponse: body}},
		{"login, Accept: application/json", login("application/json"), map[Delivery]string{
			DeliverPerRequest: body, DeliverCookies: refused, DeliverTokenResponse: body}},
		{"refresh by cookie", refreshByCookie, map[Delivery]string{
			DeliverPerRequest: cookies, DeliverCookies: cookies, DeliverTokenResponse: refused}},
		{"refresh by RFC 6749 form", refreshByForm, map[Delivery]string{
			DeliverPerRequest: body, DeliverCookies: refused, DeliverTokenResponse: body}},
	}
	deliveries := map[Delivery]string{DeliverPerRequest: "per request (default)", DeliverCookies: "cookies only", DeliverTokenResponse: "token response only"}
	for _, rq := range requests {
		for d, dname := range deliveries {
			t.Run(rq.name+"/"+dname, func(t *testing.T) {
				opts := []ManagerOption{WithDelivery(d)}
				if d == DeliverPerRequest {
					opts = nil // the default
				}
				m := newManager(t, newClock(), opts...)
				tokens, err := m.Login(context.Background(), Grant{Subject: "alice"})
				if err != nil {
					t.Fatal(err)
				}
				h, sr := rq.make(m, tokens.Refresh)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, sr.build())
				checkDelivery(t, m, w, rq.want[d])
			})
		}
	}
}

// checkDelivery checks that an answer is the delivery want names.
func checkDelivery(t *testing.T, m *Manager, w *httptest.ResponseRecorder, want string) {
	t.Helper()
	var got struct {
		tokenResponse
		Title string `json:"title"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(w.Body).Decode(&got); err != nil {
		t.Fatalf("answer %d: %v", w.Code, err)
	}
	if got.TokenType != "" && (got.AccessToken == "" || got.RefreshToken == "") {
		t.Fatalf("a token response without its tokens: %+v", got)
	}
	access, refresh := m.CookieNames()
	set := w.Result()
	switch want {
	case "token response":
		if w.Code != http.StatusOK || got.TokenType != "Bearer" || got.ExpiresIn != 900 || len(got.RefreshToken) != refreshTokenLen ||
			len(set.Cookies()) != 0 {
			t.Fatalf("%d %+v, cookies %v; want 200, access_token, token_type Bearer, expires_in 900, refresh_token, no cookie",
				w.Code, got, set.Cookies())
		}
		if _, err := m.Authenticate(context.Background(), got.AccessToken); err != nil {
			t.Fatalf("the access_token: %v", err)
		}
	case "cookies":
		if w.Code != http.StatusOK || cookie(set, access) == nil || cookie(set, refresh) == nil || got.TokenType != "" || got.ExpiresIn != 900 {
			t.Fatalf("%d %+v, cookies %v; want 200, both cookies, expires_in, no token_type", w.Code, got, set.Cookies())
		}
	default:
		if w.Code != http.StatusBadRequest || got.Error != "invalid_request" || len(got.Title) < 20 || len(set.Cookies()) != 0 {
			t.Fatalf("%d %+v; want 400 invalid_request with a title that says why, no cookie", w.Code, got)
		}
		t.Logf("refused: %s", got.Title)
	}
}

func TestDefaultDeliveryIsPerRequest(t *testing.T) {
	if c := defaultConfig(); c.delivery != DeliverPerRequest {
		t.Fatalf("default delivery %d, want DeliverPerRequest", c.delivery)
	}
}
