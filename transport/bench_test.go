package transport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
	"github.com/sealjwt/sealjwt/token"
)

// acceptAll is a replay store that remembers nothing, so a benchmark can
// open the same envelope repeatedly. Never use it outside benchmarks.
type acceptAll struct{}

func (acceptAll) Check(context.Context, string, string, time.Time) error { return nil }

const benchBody = `{"order":"4711","items":[{"sku":"tea","qty":3}],"note":"deliver before noon"}`

// benchKeys are the default suite and signature: HPKE-9 (X-Wing) and EdDSA.
func benchKeys(b *testing.B) keys {
	sk, err := token.GenerateKey(token.EdDSA)
	if err != nil {
		b.Fatal(err)
	}
	ek, err := seal.GenerateKey(seal.DefaultAlg)
	if err != nil {
		b.Fatal(err)
	}
	signSet, _ := token.NewKeySet(sk)
	sealSet, _ := seal.NewKeySet(ek)
	return keys{sign: signSet, seal: sealSet}
}

// BenchmarkTransportRoundTrip is one small JSON POST over a real loopback
// listener, sealed both ways; BenchmarkTransportCrypto is the message Seal
// plus Open of the same suite alone. The difference is the HTTP overhead.
func BenchmarkTransportRoundTrip(b *testing.B) {
	k := benchKeys(b)
	o := benchOpener(b, k)
	benchPost(b, Server(o)(echo), newClient(b, k, harnessConfig{}))
}

var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.Copy(w, r.Body)
})

// benchOpener is the receiver's Opener for the benchmarks: it trusts the
// sender and remembers no ids.
func benchOpener(b *testing.B, k keys) *sealjwt.Opener {
	o, err := sealjwt.NewOpener(k.seal, newVerifier(k), sealjwt.WithReplayStore(acceptAll{}))
	if err != nil {
		b.Fatal(err)
	}
	return o
}

// benchPost posts benchBody to h over a loopback listener with client.
func benchPost(b *testing.B, h http.Handler, client *http.Client) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		post(b, client, srv.URL)
	}
}

func post(b *testing.B, client *http.Client, url string) {
	resp, err := client.Post(url+"/orders", "application/json", strings.NewReader(benchBody))
	if err != nil {
		b.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != int64(len(benchBody)) {
		b.Fatalf("reply: %d bytes, %v", n, err)
	}
	resp.Body.Close()
}

// The Parallel variants run one request (or one Seal plus Open) per P at a
// time, so that no P sits idle between hand-offs: they measure what a round
// trip costs a busy receiver, apart from how long an idle vCPU takes to
// wake, which the sequential round trip pays at every hand-off once the
// crypto keeps the other side waiting long enough for its vCPU to halt.
func BenchmarkTransportRoundTripParallel(b *testing.B) {
	k := benchKeys(b)
	o := benchOpener(b, k)
	srv := httptest.NewServer(Server(o)(echo))
	defer srv.Close()
	client := newClient(b, k, harnessConfig{})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			post(b, client, srv.URL)
		}
	})
}

func BenchmarkTransportCryptoParallel(b *testing.B) {
	o, sealer, pub, claims := benchMessage(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			sealOpen(b, ctx, o, sealer, pub, claims)
		}
	})
}

// benchMessage is the receiver's Opener (remembering no ids) and the
// sender's Sealer, recipient key and request claims of the benchmarks.
func benchMessage(b *testing.B) (*sealjwt.Opener, *sealjwt.Sealer, *seal.PublicKey, requestClaims) {
	k := benchKeys(b)
	o := benchOpener(b, k)
	sealer, _ := newSealer(k.sign, senderID)
	claims := requestClaims{Method: "POST", URI: "http://127.0.0.1/orders", ContentType: "application/json", Body: true}
	return o, sealer, k.seal.Primary().Public(), claims
}

func BenchmarkTransportCrypto(b *testing.B) {
	o, sealer, pub, claims := benchMessage(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		sealOpen(b, ctx, o, sealer, pub, claims)
	}
}

func sealOpen(b *testing.B, ctx context.Context, o *sealjwt.Opener, sealer *sealjwt.Sealer, pub *seal.PublicKey, claims requestClaims) {
	env, err := sealer.Seal(ctx, pub, receiverID, claims)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := o.Open(ctx, env); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkTransportPlainHTTP is the same POST with no sealing at all: what
// net/http alone costs on this machine, for reading the two above.
func BenchmarkTransportPlainHTTP(b *testing.B) {
	benchPost(b, echo, &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()})
}

// BenchmarkTransportCryptoThenPlainHTTP does the message crypto and a plain
// POST, unconnected: the client seals a message before each request and
// the handler opens one, as the transport does, but nothing is sent
// sealed. Beside BenchmarkTransportRoundTrip it shows how much of the round
// trip is the transport's own work and how much is the cost of spreading
// the same crypto over a client and a server.
func BenchmarkTransportCryptoThenPlainHTTP(b *testing.B) {
	o, sealer, pub, claims := benchMessage(b)
	ctx := context.Background()
	env, err := sealer.Seal(ctx, pub, receiverID, claims)
	if err != nil {
		b.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := o.Open(ctx, env); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		echo(w, r)
	})
	base := http.DefaultTransport.(*http.Transport).Clone()
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if _, err := sealer.Seal(ctx, pub, receiverID, claims); err != nil {
			return nil, err
		}
		return base.RoundTrip(r)
	})}
	benchPost(b, h, client)
}
