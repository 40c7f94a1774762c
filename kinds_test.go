package sealjwt_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/internal/streamkey"
	"github.com/sealjwt/sealjwt/replay"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/session"
	"github.com/sealjwt/sealjwt/token"
	"github.com/sealjwt/sealjwt/transport"
)

// kindsParty is one service that makes and verifies every kind of signed
// token with one signing key, under one id: the worst case, where only
// the kind tells the tokens apart.
type kindsParty struct {
	*party
	sealer  *sealjwt.Sealer
	manager *session.Manager
	bearer  *session.Bearer
}

func newKindsParty(t *testing.T) *kindsParty {
	p := &kindsParty{party: newParty(t, "svc", seal.HPKE3, token.EdDSA)}
	p.sealer = p.party.sealer(t)
	var err error
	if p.manager, err = session.NewManager(p.id, p.sign); err != nil {
		t.Fatal(err)
	}
	v := p.verifier(t, []token.VerifierOption{token.WithType(session.BearerTokenType)}, p.party)
	if p.bearer, err = session.NewBearer(v); err != nil {
		t.Fatal(err)
	}
	return p
}

// A tokenKind makes a genuine token of its kind (the inner JWS, for the
// kinds that are sealed: whoever the kind was sealed to can read it) and
// verifies a JWS as its kind's verifier does (sealing it first to the
// verifier's key, for the kinds that arrive sealed).
type tokenKind struct {
	name, typ string
	make      func(t *testing.T, p *kindsParty) string
	verify    func(t *testing.T, p *kindsParty, jws string) error
}

// tokenKinds are the signed kinds. A response carries no token:
// TestResponseKeysAreTheirOwn shows its marker.
var tokenKinds = []tokenKind{
	{"message", token.Type, makeMessage, verifyMessage},
	{"stream head", sealjwt.StreamType, makeStreamHead, verifyStreamHead},
	{"transport request", sealjwt.RequestType, makeRequest, verifyRequest},
	{"access token", session.AccessTokenType, makeAccess, verifyAccess},
	{"bearer token", session.BearerTokenType, makeBearer, verifyBearer},
	{"signed key set", transport.SignedJWKSType, makeKeySet, verifyKeySet},
	{"file", sealjwt.FileType, makeFile, verifyFile},
}

// Every kind is refused, as a token of another kind (token.ErrType), by
// the verifier of every other kind, and accepted by its own.
func TestAttackKindPassesForAnother(t *testing.T) {
	p := newKindsParty(t)
	for _, made := range tokenKinds {
		for _, verifier := range tokenKinds {
			t.Run(made.name+" as "+verifier.name, func(t *testing.T) {
				err := verifier.verify(t, p, made.make(t, p))
				switch {
				case made.typ == verifier.typ && err != nil:
					t.Fatalf("refused by its own verifier: %v", err)
				case made.typ != verifier.typ && !errors.Is(err, token.ErrType):
					t.Fatalf("err = %v, want token.ErrType", err)
				}
			})
		}
	}
}

// The kinds' types are pairwise distinct, compared as a verifier compares
// them (RFC 7515: ignoring case, "application/" implied).
func TestKindTypesDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, k := range tokenKinds {
		key := string(bytes.ToLower([]byte(k.typ)))
		if other, ok := seen[key]; ok {
			t.Errorf("%s and %s share typ %q", k.name, other, k.typ)
		}
		seen[key] = k.name
	}
}

// A response is a record stream under a key of its own: exported under
// its own label and mixed with the response nonce. The keys of a request
// body, a stream and a response from one envelope's context differ, so
// records of one never authenticate as another's.
func TestResponseKeysAreTheirOwn(t *testing.T) {
	p := newKindsParty(t)
	_, sc, err := seal.SealContext(p.pub(), []byte("x"), seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	req, _, _ := streamkey.Request(sc)
	stream, _, _ := streamkey.Stream(sc)
	resp1, _, _ := streamkey.Response(sc, bytes.Repeat([]byte{1}, 32))
	resp2, _, err := streamkey.Response(sc, bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	keys := [][]byte{req, stream, resp1, resp2}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if bytes.Equal(keys[i], keys[j]) {
				t.Fatalf("keys %d and %d are equal", i, j)
			}
		}
	}
}

func openInner(t *testing.T, p *kindsParty, env string) string {
	t.Helper()
	opened, err := seal.Open(p.sealKey, env)
	if err != nil {
		t.Fatal(err)
	}
	return string(opened.Plaintext)
}

func sealJWS(t *testing.T, p *kindsParty, jws string) string { return sealSigned(t, p.pub(), jws) }

func makeMessage(t *testing.T, p *kindsParty) string {
	env, err := p.sealer.Seal(context.Background(), p.pub(), p.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return openInner(t, p, env)
}

func verifyMessage(t *testing.T, p *kindsParty, jws string) error {
	_, err := p.opener(t, replay.NewMemory(), p.party).Open(context.Background(), sealJWS(t, p, jws))
	return err
}

func makeStreamHead(t *testing.T, p *kindsParty) string {
	var out bytes.Buffer
	w, err := p.sealer.SealStream(context.Background(), &out, p.pub(), p.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	n := binary.BigEndian.Uint32(out.Bytes())
	return openInner(t, p, string(out.Bytes()[4:4+n]))
}

func verifyStreamHead(t *testing.T, p *kindsParty, jws string) error {
	env := sealJWS(t, p, jws)
	head := binary.BigEndian.AppendUint32(nil, uint32(len(env)))
	_, _, err := p.opener(t, replay.NewMemory(), p.party).OpenStream(context.Background(), bytes.NewReader(append(head, env...)))
	return err
}

func makeRequest(t *testing.T, p *kindsParty) string {
	claims := map[string]any{"htm": http.MethodGet, "htu": "http://svc.example/"}
	env, _, err := p.sealer.SealContext(context.Background(), p.pub(), p.id, claims)
	if err != nil {
		t.Fatal(err)
	}
	return openInner(t, p, env)
}

func verifyRequest(t *testing.T, p *kindsParty, jws string) error {
	_, _, err := p.opener(t, replay.NewMemory(), p.party).OpenContext(context.Background(), sealJWS(t, p, jws), nil)
	return err
}

func makeAccess(t *testing.T, p *kindsParty) string {
	tokens, err := p.manager.Login(context.Background(), session.Grant{Subject: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	return tokens.Access
}

func verifyAccess(_ *testing.T, p *kindsParty, jws string) error {
	_, err := p.manager.Authenticate(context.Background(), jws)
	return err
}

func makeBearer(t *testing.T, p *kindsParty) string {
	signer, err := token.NewSigner(p.sign, p.id, token.WithType(session.BearerTokenType))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(p.id, nil)
	if err != nil {
		t.Fatal(err)
	}
	return jws
}

func verifyBearer(_ *testing.T, p *kindsParty, jws string) error {
	_, err := p.bearer.Authenticate(context.Background(), jws)
	return err
}

func makeKeySet(t *testing.T, p *kindsParty) string {
	h, err := transport.SignedJWKSHandler(p.sealKey.Public(), p.sign, p.id)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	return rec.Body.String()
}

func verifyKeySet(t *testing.T, p *kindsParty, jws string) error {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", transport.SignedJWKSContentType)
		_, _ = w.Write([]byte(jws))
	}))
	defer srv.Close()
	f, err := transport.NewKeyFetcher(context.Background(), srv.URL, transport.WithKeySetSigner(p.id, p.sign.Verifying()))
	if err == nil {
		_ = f.Close()
	}
	return err
}

// WithSealedType and WithOpenedType choose what Seal and Open handle, but
// never a kind that has calls of its own: Seal cannot be made to write a
// stream head or a transport request.
func TestSealedTypeCannotBeAnotherKindsOwn(t *testing.T) {
	p := newParty(t, "svc", seal.HPKE3, token.EdDSA)
	signer, err := token.NewSigner(p.sign, p.id)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{sealjwt.StreamType, sealjwt.RequestType, "application/SEAL-REQUEST+JWT"} {
		if _, err := sealjwt.NewSealer(signer, sealjwt.WithSealedType(typ)); !errors.Is(err, sealjwt.ErrConfig) {
			t.Errorf("WithSealedType(%q): %v, want ErrConfig", typ, err)
		}
		if _, err := sealjwt.NewOpener(p.sealKey, p.verifier(t, nil, p), sealjwt.WithOpenedType(typ)); !errors.Is(err, sealjwt.ErrConfig) {
			t.Errorf("WithOpenedType(%q): %v, want ErrConfig", typ, err)
		}
	}
	if _, err := sealjwt.NewSealer(signer, sealjwt.WithSealedType(session.AccessTokenType)); err != nil {
		t.Fatal(err)
	}
}

func makeFile(t *testing.T, p *kindsParty) string {
	var out bytes.Buffer
	w, err := p.sealer.SealFile(context.Background(), &out, []*seal.PublicKey{p.pub()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	n := binary.BigEndian.Uint32(out.Bytes())
	opened, err := seal.OpenGeneral(p.sealKey, out.Bytes()[4:4+n])
	if err != nil {
		t.Fatal(err)
	}
	return string(opened.Plaintext)
}

func verifyFile(t *testing.T, p *kindsParty, jws string) error {
	head, _, err := seal.SealGeneral([]*seal.PublicKey{p.pub()}, []byte(jws), seal.WithContentType(sealjwt.ContentType))
	if err != nil {
		t.Fatal(err)
	}
	file := append(binary.BigEndian.AppendUint32(nil, uint32(len(head))), head...)
	_, _, err = p.opener(t, replay.NewMemory(), p.party).OpenFile(context.Background(), bytes.NewReader(file))
	return err
}
