// Package session is the user-facing half of sealjwt: short-lived access
// tokens and rotating refresh tokens for browsers and API clients, and the
// bearer-token middleware that admits requests.
//
// A Manager (NewManager) issues, for each login, a signed access token
// (typ at+jwt, 15 minutes by default, reusable until it expires,
// optionally sealed to the API's own HPKE key) and a refresh token
// "<id>.<secret>" that starts a family in a Store. Each refresh consumes
// the presented token and issues its successor; presenting a consumed
// token again, outside a short grace window, revokes the whole family
// (reuse detection, RFC 9700 section 4.14.2) and is reported as ErrReuse
// and as its own Observer event. Families end after 30 days, or 7 days
// without a refresh, or at logout, or with RevokeSubject.
//
// Over HTTP, LoginHandler, RefreshHandler and LogoutHandler serve the
// endpoints, and Middleware admits API requests by access token: from
// Authorization: Bearer, a configured header, or the access cookie.
// Browsers get HttpOnly, Secure, SameSite=Strict cookies and cross-origin
// protection on every cookie-authenticated state-changing request; API
// clients get RFC 6749 token responses. Each request chooses by default
// (DeliverPerRequest): a login with Accept: application/json, or a
// refresh with the RFC 6749 form body, gets the tokens in the body; the
// others get cookies. WithDelivery(DeliverCookies) serves browsers only
// and refuses those requests with 400; WithDelivery(DeliverTokenResponse)
// serves API clients only. Every check that can refuse a request (method,
// origin, delivery, development cookies on a non-loopback host, body size
// and type, grant type) runs before anything is written to the store.
//
// NewBearer is the same middleware for tokens that clients sign
// themselves (the signed-only flow of a shared secret in a Token header),
// with BearerTransport on the client side.
//
// Stores: NewMemory (the default, one process), and the Redis and
// PostgreSQL stores in session/redisstore and session/pgstore.
package session
