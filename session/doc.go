// Package session is the user-facing half of sealjwt: short-lived access
// tokens and rotating refresh tokens for browsers and API clients, and the
// bearer-token middleware that admits requests.
//
// A [Manager] ([NewManager]) issues, for each login, a signed access token
// (typ [AccessTokenType], at+jwt; [DefaultAccessTokenLifetime], 15
// minutes, from 1 minute to 1 hour with [WithAccessTokenLifetime]; reusable
// until it expires) and an opaque refresh token "<id>.<secret>" (a 128-bit id and a 256-bit secret,
// of which only the SHA-256 is stored) that starts a family in a [Store].
// The application decides who logs in (an [Authenticator] returns a
// [Grant]: subject, scopes, its own claims of at most 1024 bytes); the
// Manager does the rest. [WithSealing] seals each access token to the
// API's own HPKE key, so that neither the browser nor a log line can read
// its claims.
//
// # Endpoints
//
// [Manager.LoginHandler], [Manager.RefreshHandler] and
// [Manager.LogoutHandler] serve POST endpoints, and [Manager.Middleware]
// admits API requests, putting the verified [Claims] in the request context
// ([ClaimsFromContext]). Refusals are application/problem+json:
//
//   - Login: the Authenticator refusing is 400 with "error":"invalid_grant"
//     (RFC 6749 section 5.2; not 401, which would owe a challenge a login
//     form has none of). A new session, a refresh-token family, starts.
//   - API requests carry the access token in Authorization: Bearer, in a
//     header named by [WithTokenHeader], or in the access cookie. No token
//     is 401 with WWW-Authenticate: Bearer; an invalid one 401 with
//     WWW-Authenticate: Bearer error="invalid_token" (RFC 6750 section 3).
//   - Refresh consumes the refresh token and issues both tokens anew. A
//     refresh token presented a second time (stolen and replayed, by the
//     thief or by the victim after the thief) revokes the whole family (RFC
//     9700 section 4.14.2, [ErrReuse]): neither party can refresh again,
//     and the Observer gets a refresh event refused with reason reuse. A
//     retry within the grace window (10 s by default; [WithGrace], 0
//     disables, at most 1 minute) gets the very successor the first use
//     created, never a second branch of the family; while that successor is
//     unused, each such retry restarts the window. The window is the price
//     of lost responses and two tabs: a replay within it goes unnoticed (the
//     thief then holds the same token as the user, and the next refresh of
//     either is a reuse).
//   - Logout (under the refresh path, /auth/refresh/logout by default)
//     revokes the family and clears the cookies it came with: 204.
//     [Manager.RevokeSubject] revokes every session of a user (after a
//     password change).
//   - A store that does not answer within [WithStoreTimeout] (1 s by
//     default) is 503 with Retry-After: 1 ([ErrStoreUnavailable]): the call
//     committed nothing, so the client may present the same refresh token
//     again.
//
// A family also ends 30 days after login ([WithSessionLifetime]) or after
// 7 days without a refresh ([WithIdleTimeout]). Every check that can refuse
// a request (method, origin, delivery, development cookies on a host that
// is not loopback, body size and type, grant type) runs before anything is
// written to the store: a refused refresh leaves its token unspent, a
// refused logout leaves the session live. docs/PROTOCOL.md section 5 lists
// every endpoint's answers.
//
// # What logout and reuse end, and when
//
// Logout, a detected reuse and RevokeSubject revoke the family in the
// store at once, so every refresh token of it, the thief's included, is
// refused from the next refresh on (400 invalid_grant, "session revoked",
// [ErrRevoked]), and a browser that gets that answer has its cookies
// cleared. Access tokens already issued are not recalled by default: each
// keeps working until its exp, at most the access-token lifetime after it
// was issued, in any tab or client that holds it.
//
// [WithImmediateRevocation] ends them at once, on every server: the
// middleware (and [Manager.Authenticate]) refuses an access token whose
// session (sid) was revoked, with 401 invalid_token. It costs no store
// round trip per request: each Manager keeps a copy of the families
// revoked within an access token's lifetime, fed by the store (a store
// must implement [RevocationFeed], or NewManager refuses it): the memory
// store calls it in process; the Redis store publishes each revocation on
// a Pub/Sub channel and keeps it an hour in a sorted set for catching up;
// the PostgreSQL store records it in a table and sends it with NOTIFY from
// a trigger, in the transaction that revoked it. A request then costs a map
// lookup under a read lock, within 1.10 times the check without it
// (docs/BENCHMARKS.md), and a revocation reached another server in 2 to 17
// ms on Redis and PostgreSQL on one machine (the stores' tests check it
// stays under 1 s). What it costs:
//
//   - Fail closed: if the feed is lost (the store unreachable, the
//     subscription broken, or a second without a message or heartbeat), a
//     revocation could be missed, so every access token is refused with 503
//     and Retry-After until the feed is back and has caught up. With the
//     option on, an outage of the session store stops API requests too, not
//     only logins and refreshes.
//   - One connection per server for the subscription (Redis Pub/Sub; a
//     PostgreSQL connection taken out of the pool for LISTEN), and, on
//     PostgreSQL, four heartbeat notifications a second per server. Call
//     [Manager.Close] to stop it.
//   - Memory: about 100 bytes per family revoked in the last access-token
//     lifetime.
//
// # Cookies and token responses
//
// Browsers get cookies, each attribute for a reason:
//
//	__Host-access     HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=900
//	__Secure-refresh  HttpOnly; Secure; SameSite=Strict; Path=/auth/refresh; Max-Age=604800
//
// HttpOnly keeps script (XSS) from reading them; Secure keeps them off plain
// http; SameSite=Strict keeps them off requests other sites start
// ([WithSameSite](http.SameSiteLaxMode) allows top-level links); the
// __Host- prefix ([AccessCookie]) stops a subdomain or a plain-http page
// from setting or shadowing the access cookie; and the refresh cookie
// ([RefreshCookie]) is sent to the refresh endpoint only ([WithRefreshPath]),
// so no other request, log or handler carries it. Both are cleared on
// logout and whenever the family is revoked. Every cookie-authenticated
// request that changes state, and every session endpoint, passes
// [http.CrossOriginProtection] ([WithCrossOriginProtection]): a form posted
// from another origin gets 403. An access token longer than 4000
// bytes is refused at login rather than dropped by the browser.
//
// [WithDevelopmentCookies] drops Secure and the prefixes, for plain http on
// localhost during development, and then serves cookies only for loopback
// hosts (421 for any other); never use it in production. sealjwt demo
// --web shows the whole flow in a browser, in that mode.
//
// API and native clients get an RFC 6749 section 5.1 token response
// instead (access_token, token_type "Bearer", expires_in, refresh_token,
// refresh_expires_in, scope) and refresh with
// grant_type=refresh_token&refresh_token=... in the form body. The default
// delivery chooses per request ([DeliverPerRequest]): a login whose Accept
// names application/json, and a refresh with the form body, get a token
// response; other logins, and refreshes by cookie, get cookies (a refresh
// token that came in a cookie is always answered with cookies, so page
// script never sees it). [WithDelivery]([DeliverCookies]) serves browsers
// only: a login asking for JSON, or a refresh without the cookie, gets 400
// invalid_request saying so, never a token response without tokens.
// WithDelivery([DeliverTokenResponse]) serves API clients only.
//
// # Stores
//
// Refresh-token families live in a [Store]. [NewMemory] is the default,
// for one process: nothing survives a restart, and it holds at most
// 131,072 sessions (about 200 MiB at most;
// [WithCapacity]). Package [github.com/sealjwt/sealjwt/session/redisstore]
// (go-redis v9, any redis.UniversalClient: one server, Sentinel or
// Cluster) and package [github.com/sealjwt/sealjwt/session/pgstore] (pgx v5,
// a pgxpool.Pool; call Migrate once at start-up) share sessions between
// servers ([WithStore]). A rotation is atomic and costs two round trips:
// the secret's hash is read and compared in Go in constant time, then the
// rotation runs conditioned on that same hash. All three pass one
// conformance suite, package [github.com/sealjwt/sealjwt/session/storetest],
// whose fault cases (a stopped server, a paused path, lost replies, a
// command sent twice, a restart) run against Redis and PostgreSQL through
// a fault proxy. Under faults:
//
//   - Deadlines. Every store call runs under [WithStoreTimeout]: past it
//     the endpoint answers 503 with Retry-After: 1, whatever the store's
//     client does. A rotation carries its deadline, less a quarter for the
//     answer's trip back ([CommitDeadline]), and the store checks it by its
//     own clock (Redis TIME, PostgreSQL clock_timestamp()) before writing: a
//     command that reaches a server after a pause writes nothing, so the
//     client's retry with the same refresh token is a first use. A rotation
//     that may have committed unanswered is taken back while its successor
//     is unused ([Abandoner]); a reuse verdict reached after the caller's
//     deadline revokes nothing.
//   - Retries. A successor is derived from the presented secret and a
//     random id of the request that consumed it ([RequestID]): a client
//     library that sends the same command twice gets the same answer, and a
//     client's own retry within the grace window gets the same successor.
//     Times recorded are the store's commit time, so a late commit never
//     pushes a retry out of the window. Retries that reached the Manager
//     but not the store (a paused store, a pool with every connection
//     busy) keep the window too: the Manager remembers them per token
//     ([Rotation].UnansweredFirst and UnansweredLast) and the store counts
//     them while the successor is unused, if the run began within the
//     window. Each server remembers only the retries it saw.
//   - Bounded state. A family keeps one live refresh token and its latest
//     [KeptConsumed] (8) consumed ones; an older one is unknown, which gives
//     a thief nothing either. A subject keeps at most
//     [DefaultMaxFamiliesPerSubject] (32) families (WithMaxFamiliesPerSubject
//     on each store): a login beyond it ends that subject's oldest session,
//     so one account can neither be refused a login by its own old sessions
//     nor fill the store for others.
//   - Durability. What a store loses, users lose: their sessions, and the
//     reuse detection of the tokens they held. Run Redis with AOF and
//     appendfsync always (everysec may lose the last second of rotations:
//     those users' refresh tokens become unknown, 400 invalid_grant, and
//     they log in again), maxmemory-policy noeviction, and no FLUSHDB. A
//     Redis store that notices its server lost its data reports, for a week
//     after, every unknown token as [ErrStoreReset] (still 400
//     invalid_grant; reason store_lost in logs and metrics). PostgreSQL is
//     durable with its defaults (synchronous_commit = on).
//   - Pools. Size the pool for the concurrent refreshes and logins a server
//     handles (each holds a connection for two round trips, and immediate
//     revocation takes one more), and set the client's timeouts below
//     WithStoreTimeout; the stores' package examples show both.
//
// # Signed-only mode
//
// [NewBearer] is the same middleware for tokens that clients sign
// themselves with a shared secret (HS256: [token.NewHMACKey] signs,
// [token.NewHMACVerifyingKeySet] verifies), as in the
// classic tutorial's Token header ([WithTokenHeader]([TokenHeader])), with
// [NewBearerTransport] on the client side. Its verifier must require the
// bearer kind's type (token.WithType([BearerTokenType]), bearer+jwt, which
// NewBearerTransport and sealjwt sign write; NewBearer refuses a verifier of
// another kind) and stays strict (typ, kid, iss, aud, jti, iat required).
// [token.WithTutorialCompat] also accepts the tutorial's own tokens (typ JWT
// or none, no kid with a single key, only exp required), giving up explicit
// typing, the audience binding and the token id that [WithSingleUse] needs.
// Tokens are reusable until they expire; WithSingleUse accepts each once.
// Anything invalid is 401. A shared secret lets whoever can verify forge,
// and nothing is encrypted: use it over TLS only.
//
// # Observing
//
// [WithObserver] reports each login, refresh, access and logout as a
// [sealjwt.Event] with its reason. A refresh refused for reuse means a
// refresh token was presented again after it had been used: its family is
// now revoked, and someone holds a stolen token; alert on it.
// invalid_refresh, revoked and session_expired are the ordinary ends of
// sessions; a login refused for login_refused is the Authenticator saying
// no (a burst is someone guessing passwords).
package session
