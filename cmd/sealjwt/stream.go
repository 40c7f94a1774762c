package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
)

// sealStdin seals the input (-i or stdin) to the output (-o or stdout) as
// one stream.
func sealStdin(e env, d *dataFlags, s *sealjwt.Sealer, to *seal.PublicKey, aud string, claims any) error {
	return sealData(e, d, func(out io.Writer) (io.WriteCloser, error) {
		return s.SealStream(context.Background(), out, to, aud, claims)
	})
}

// openStdin opens the stream on the input (-i or stdin): the verified
// claims go to stderr, then the plaintext to the output (-o or stdout) as
// each record authenticates.
func openStdin(e env, d *dataFlags, o *sealjwt.Opener) error {
	in, out, done, err := d.open(e)
	if err != nil {
		return err
	}
	defer done()
	msg, plaintext, err := o.OpenStream(context.Background(), in)
	if errors.Is(err, sealjwt.ErrExpired) {
		return fmt.Errorf("rejected: %w; it was sealed as a stream that expires; seal files with `seal --file`", err)
	}
	if err != nil {
		return fmt.Errorf("rejected: %w", err)
	}
	if err := printClaims(e.stderr, msg.Payload); err != nil {
		return err
	}
	return copyOut(out, plaintext)
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
