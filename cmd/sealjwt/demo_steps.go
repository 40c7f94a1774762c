package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
)

// errDemo reports a step whose outcome was not the expected one.
var errDemo = errors.New("demo: the receiver did not behave as expected")

func (d *demo) get(ctx context.Context, c *http.Client, base string) error {
	d.printf("\n4. GET / (no body)\n")
	rep, err := app.Do(ctx, c, http.MethodGet, base+"/", nil, "")
	if err != nil {
		return err
	}
	w, err := d.report(rep)
	if err != nil {
		return err
	}
	d.getAuth = w.Authorization
	return nil
}

func (d *demo) post(ctx context.Context, c *http.Client, base string) error {
	body := `{"order":"17","amount_cents":1200,"currency":"EUR","note":"signed, then sealed"}`
	d.printf("\n5. POST %s with JSON: %s\n", app.MessagesPath, body)
	rep, err := app.Do(ctx, c, http.MethodPost, base+app.MessagesPath, []byte(body), "application/json")
	if err != nil {
		return err
	}
	_, err = d.report(rep)
	return err
}

// report prints one exchange: the wire, the receiver's view, the reply.
func (d *demo) report(rep *app.Reply) (*wireRecord, error) {
	w := d.tap.take()
	seen := d.takeSeen()
	if w == nil || len(seen) != 1 {
		return nil, errDemo
	}
	d.printWire(w)
	d.printSeen(seen[0])
	d.printf("   on the wire <- %d, %s, %d bytes sealed\n", w.Status, w.RespType, w.respBytes.Load())
	d.printf("   decrypted reply: %d %s: %s\n", rep.Status, rep.ContentType, strings.TrimSpace(string(rep.Body)))
	return w, nil
}

func (d *demo) printWire(w *wireRecord) {
	env := strings.TrimPrefix(w.Authorization, "Sealed ")
	d.printf("   on the wire -> %s %s\n", w.Method, w.URL)
	d.printf("      Authorization: Sealed %s... (envelope, %d bytes)\n", env[:min(40, len(env))], len(env))
	if v, err := decodeCompact(env); err == nil {
		d.printf("      envelope header: %s; %s %d bytes, ciphertext %d bytes\n",
			compactJSON(v.header), v.keyPart(), v.enc, v.cipher)
	}
	if w.ReqType == "" {
		d.printf("      body: none\n")
	} else {
		d.printf("      body: %d bytes of %s (encrypted records)\n", w.reqBytes.Load(), w.ReqType)
	}
}

func (d *demo) printSeen(s app.Seen) {
	m := s.Message
	d.printf("   receiver saw: %s %s from iss %q, aud %v, jti %s\n", s.Method, s.Path, m.Issuer, m.Audience, m.ID)
	d.printf("      signed with %s (kid %.12s...), sealed with %s, expires in %v\n",
		m.Alg, m.KID, m.Envelope.Alg, time.Until(m.ExpiresAt).Round(time.Second))
	if s.ContentType != "" {
		d.printf("      body: %d bytes of %s: %s\n", s.BodyLen, s.ContentType, s.Preview)
	}
}

// replay sends the captured GET again, byte for byte, without the
// sealing client: the receiver must refuse it.
func (d *demo) replay(ctx context.Context, base string) error {
	d.printf("\n6. An attacker replays the captured envelope of step 4 verbatim\n")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", d.getAuth)
	resp, err := app.BaseTransport().RoundTrip(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	d.printf("   receiver answered %d %s (%s)\n", resp.StatusCode, http.StatusText(resp.StatusCode), resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusConflict {
		return fmt.Errorf("%w: replay answered %d, want 409", errDemo, resp.StatusCode)
	}
	d.printf("   refused: each envelope is accepted once\n")
	return nil
}
