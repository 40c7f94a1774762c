// Package sealjwt sends messages from one service to another that nobody in
// between can read or forge.
//
// A message is signed as a JWT (package [token]) for authenticity, then
// sealed with HPKE (package [seal]) to the receiver's public key for
// confidentiality: a nested JWT inside a JOSE-HPKE compact JWE, readable by
// any JOSE-HPKE implementation. A [Sealer] does both in one call
// ([Sealer.Seal]); an [Opener] undoes both in one call ([Opener.Open]),
// checks the audience, the issuer and the lifetime, and remembers the token
// id so that a captured envelope cannot be replayed. The result is a
// [Message]: the verified registered claims, and the application's claims
// through [token.Verified.Decode]. The wire format is in docs/PROTOCOL.md,
// sections 1 to 3.
//
// # The low-level layer
//
// Beneath Seal and Open is the layer the transport is built on, public so
// that other protocols can be built the same way: [Sealer.SealContext] and
// [Opener.OpenContext] seal and open an envelope of a kind of its own
// ([RequestType]) and also hand out its HPKE context, from which both ends
// derive the same keys ([seal.Context.Export], under labels of their own)
// for data that travels with the envelope, as crypto/hpke's Sender and
// Recipient export theirs. OpenContext checks what Open checks, but not
// what the message is bound to: its caller applies its own binding checks.
//
// # Settings
//
// Each setting lives in one place. The [token.Signer] holds the sender's
// issuer, keys, lifetime ([token.WithLifetime], 5 minutes by default) and
// clock; the [token.Verifier] holds the receiver's id, the senders it
// trusts ([token.Verifier.Trust]), the leeway (30 s), the maximum lifetime
// (1 hour) and the clock ([token.WithClock] is the same option on both).
// The Opener adds only where token ids are remembered ([WithReplayStore])
// and who is told the outcomes ([WithObserver]). The Sealer and the Opener
// fix the token types themselves.
//
// An envelope has one size limit wherever it travels: [seal.MaxEnvelopeSize]
// (64 KiB), checked before anything is parsed; Seal refuses to make a
// larger one.
//
// # Errors
//
// Failures are sentinel errors for [errors.Is]: [ErrExpired],
// [ErrNotYetValid], [ErrSignature], [ErrUntrustedSender], [ErrAudience],
// [ErrIssuer], [ErrClaims], [ErrRecipient], [ErrReplayed], [ErrUnknownKey],
// [ErrMalformed], [ErrUnsupported], [ErrTooLarge], and the replay store's
// [ErrReplayUnavailable] (and [replay.ErrInDoubt], [replay.ErrFull] and
// [replay.ErrReset]). Every decryption failure is the same opaque
// [ErrDecryption], and "expired" is reported only after the signature
// verified. [ReasonOf] maps an error to the [Reason] that observers and
// logs carry.
//
// # Replay stores
//
// An Opener remembers each (issuer, jti) until the token's exp plus the
// leeway, in a bounded in-memory store by default ([replay.NewMemory]).
// Receivers that do not share a store can each accept the same message
// once, so a fleet shares one in Redis:
//
//	store, err := redisstore.New(client)
//	...
//	opener, err := sealjwt.NewOpener(keys, verifier, sealjwt.WithReplayStore(store))
//
// with package [github.com/sealjwt/sealjwt/replay/redisstore] (kept apart so
// that a program using only the in-memory store does not link go-redis).
// Stores fail closed: a check that cannot answer in time (the Redis
// store's deadline is 1 s by default) is [ErrReplayUnavailable], which the
// transport answers with 503, never 409, and the jti stays usable for the
// sender's retry. The Redis store must be
// durable (AOF with appendfsync always, maxmemory-policy noeviction); a
// store that lost its data is detected and messages issued before the loss
// are refused ([replay.ErrReset]) until they expire. docs/PROTOCOL.md
// section 3.0 says what a sender may assume after each answer.
//
// # Streams
//
// For data of any length in transit outside HTTP (a queue message, a
// pipe), [Sealer.SealStream] writes a message to an [io.Writer] and returns
// an [io.WriteCloser] for the data; [Opener.OpenStream] verifies the
// message at the head of an [io.Reader] and returns a reader of the data.
// Memory stays flat whatever the length: records of [StreamRecordSize]
// (16 KiB), keyed from the envelope's HPKE context as the HTTP bodies are.
// Close the writer: its final record is what tells a whole stream from a
// cut one. The reader reports a stream cut short as [ErrTruncated], never
// as a clean [io.EOF]; records altered or out of order as [ErrDecryption];
// bytes after the end as [ErrTrailingData]. Act on the data only once the
// copy returned nil. A stream is a message: it expires within the
// receiver's maximum lifetime; for data kept longer, seal a file. Wire
// format: docs/PROTOCOL.md section 3.1.
//
// # Files
//
// A sealed file is data at rest, read for years: signed (who sealed it,
// when), sealed to one or more recipient keys, any one of which opens it
// (a service key and an offline recovery key, say), with no expiry unless
// asked and no replay memory. [Sealer.SealFile] returns an [io.WriteCloser]
// for the data; [Opener.OpenFile] returns the verified head, a [File]
// (Issuer, IssuedAt, Recipients), and a reader of the data, with the
// stream's guarantees in flat memory. [WithMaxAge] on the Opener refuses
// older files. The head is the JWE JSON serialization with one recipients
// entry per key (up to [MaxFileRecipients], 64), whose signed thumbprints
// ([RecipientClaim]) bind the list: docs/PROTOCOL.md section 3.2.
//
// Other stacks can list a file's recipients (its head is plain JWE JSON),
// but opening it needs the draft's key-encryption mode (HPKE-n-KE): Node's
// jose has the integrated algs only, and Python's jwcrypto and joserfc no
// HPKE, so none of them reads a sealed file today.
//
// # Observing outcomes
//
// An [Observer] ([ObserverFunc]) set with [WithObserver] is told of every
// open, accepted or refused, with its [Reason], suite, signing alg and,
// once the signature verified, the issuer; it is how the commands feed
// Prometheus without the library depending on a metrics system. Over HTTP,
// set it on the Opener or on the transport middleware, not both, so each
// request is counted once. docs/OPERATIONS.md says what each reason means
// to an operator.
//
// # Security notes
//
// HPKE base mode does not authenticate the sender by itself: authenticity
// comes from the inner signature, and a signing key belongs to one issuer
// (a message whose iss is not the issuer its key is registered to is
// [ErrIssuer]). Whoever holds a trusted signing key can send; whoever holds
// the receiver key can read. There is no forward secrecy against a later
// theft of the receiver's private key: rotate keys ([seal.NewKeySet] takes
// the new primary key and the older ones still accepted) and keep
// lifetimes short. Clocks must agree within the leeway. The signed
// [RecipientClaim] names the key a message was sealed to, so a message
// opened by someone else cannot be re-sealed to the real receiver
// ([ErrRecipient]). docs/THREAT_MODEL.md lists every attack considered and
// the test that shows it refused.
package sealjwt
