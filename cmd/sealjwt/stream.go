package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
)

// sealStdin seals stdin to stdout as one stream, record by record: memory
// stays flat whatever the length.
func sealStdin(e env, s *sealjwt.Sealer, to *seal.PublicKey, aud string, claims any) error {
	w, err := s.SealStream(context.Background(), e.stdout, to, aud, claims)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, e.stdin); err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	return w.Close()
}

// openStdin opens the stream on stdin: the verified claims go to stderr,
// then the plaintext to stdout as each record authenticates.
func openStdin(e env, o *sealjwt.Opener) error {
	msg, plaintext, err := o.OpenStream(context.Background(), e.stdin)
	if err != nil {
		return fmt.Errorf("rejected: %w", err)
	}
	if err := printClaims(e.stderr, msg.Payload); err != nil {
		return err
	}
	out := &outputWriter{w: e.stdout}
	switch _, err := io.Copy(out, plaintext); {
	case out.err != nil:
		return fmt.Errorf("writing stdout: %w", out.err)
	case err != nil:
		return fmt.Errorf("rejected: %w", err)
	}
	return nil
}

// outputWriter keeps the output's own failure apart from the stream's, so
// that a closed pipe is not reported as a rejected stream.
type outputWriter struct {
	w   io.Writer
	err error
}

func (o *outputWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
	}
	return n, err
}
