package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sealjwt/sealjwt"
	"github.com/sealjwt/sealjwt/seal"
)

// dataFlags are where seal --file/--stream and open --file/--stream read
// the data and write the result: -i and -o, stdin and stdout by default.
type dataFlags struct {
	in, out string
	force   bool
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.in, "i", "", "read the data from `FILE` (default stdin; --file and --stream)")
	fs.StringVar(&d.out, "o", "", "write the result to `FILE` (default stdout; --file and --stream); kept only when complete")
	fs.BoolVar(&d.force, "force", false, "overwrite the -o file if it exists")
}

// open returns the input, and an output whose Commit makes it visible
// only once everything was written: a rejected file leaves no partial
// plaintext under the name asked for. An existing output is refused
// before anything is read, unless --force.
func (d *dataFlags) open(e env) (io.Reader, *output, func(), error) {
	in, closeIn := e.stdin, func() {}
	if d.in != "" && d.in != "-" {
		f, err := os.Open(d.in)
		if err != nil {
			return nil, nil, nil, err
		}
		in, closeIn = f, func() { f.Close() }
	}
	out, err := newOutput(e.stdout, d.out, d.force)
	if err != nil {
		closeIn()
		return nil, nil, nil, err
	}
	return in, out, func() { out.discard(); closeIn() }, nil
}

// output is stdout, or a temporary file beside the -o path that Commit
// moves into place.
type output struct {
	io.Writer
	tmp   *os.File
	path  string
	force bool
}

func newOutput(stdout io.Writer, path string, force bool) (*output, error) {
	if path == "" || path == "-" {
		return &output{Writer: &outputWriter{w: stdout}}, nil
	}
	if _, err := os.Lstat(path); err == nil && !force {
		return nil, fmt.Errorf("%s exists; use --force to overwrite it", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, err
	}
	return &output{Writer: &outputWriter{w: tmp}, tmp: tmp, path: path, force: force}, nil
}

// Commit closes the temporary file and gives it the -o name; without
// --force, a file that appeared there meanwhile is not replaced.
func (o *output) Commit() error {
	if o.tmp == nil {
		return nil
	}
	if err := o.tmp.Close(); err != nil {
		return err
	}
	tmp := o.tmp.Name()
	o.tmp = nil
	if o.force {
		return os.Rename(tmp, o.path)
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, o.path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists; use --force to overwrite it", o.path)
		}
		return err
	}
	return nil
}

// discard removes an uncommitted temporary file.
func (o *output) discard() {
	if o.tmp != nil {
		o.tmp.Close()
		os.Remove(o.tmp.Name())
		o.tmp = nil
	}
}

// writeErr is the output's own failure, kept apart from the input's.
func (o *output) writeErr() error { return o.Writer.(*outputWriter).err }

// sealFile seals the data to every recipient as one sealed file.
func sealFile(e env, d *dataFlags, s *sealjwt.Sealer, to []*seal.PublicKey, claims any) error {
	return sealData(e, d, func(out io.Writer) (io.WriteCloser, error) {
		return s.SealFile(context.Background(), out, to, claims)
	})
}

// sealData seals the input (-i or stdin) to the output (-o or stdout)
// through the writer start makes, record by record: memory stays flat
// whatever the length.
func sealData(e env, d *dataFlags, start func(io.Writer) (io.WriteCloser, error)) error {
	in, out, done, err := d.open(e)
	if err != nil {
		return err
	}
	defer done()
	w, err := start(out)
	if err != nil {
		return err
	}
	if err := copyData(w, in, out); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return out.Commit()
}

// copyData copies in to w, naming which side failed.
func copyData(w io.Writer, in io.Reader, out *output) error {
	_, err := io.Copy(w, in)
	switch {
	case out.writeErr() != nil:
		return fmt.Errorf("writing the output: %w", out.writeErr())
	case err != nil:
		return fmt.Errorf("reading the input: %w", err)
	}
	return nil
}

// openFile opens a sealed file: what was verified goes to stderr, the
// data to the output, which is kept only if the whole file verified.
func openFile(e env, d *dataFlags, o *sealjwt.Opener) error {
	in, out, done, err := d.open(e)
	if err != nil {
		return err
	}
	defer done()
	f, plaintext, err := o.OpenFile(context.Background(), in)
	if err != nil {
		return fmt.Errorf("rejected: %w", err)
	}
	printFile(e.stderr, f)
	return copyOut(out, plaintext)
}

// copyOut copies the authenticated plaintext to the output and keeps it
// only if the whole input verified.
func copyOut(out *output, plaintext io.Reader) error {
	_, err := io.Copy(out, plaintext)
	switch {
	case out.writeErr() != nil:
		return fmt.Errorf("writing the output: %w", out.writeErr())
	case err != nil:
		return fmt.Errorf("rejected: %w", err)
	}
	return out.Commit()
}

// printFile writes the verified head of a file.
func printFile(w io.Writer, f *sealjwt.File) {
	fmt.Fprintf(w, "verified: sealed by %q (signing key %s) at %s\n", f.Issuer, f.KID, f.IssuedAt.UTC().Format("2006-01-02T15:04:05Z"))
	kids := make([]string, len(f.Recipients))
	for i, r := range f.Recipients {
		kids[i] = r.KID
	}
	fmt.Fprintf(w, "recipients: %s (opened with %s)\n", strings.Join(kids, ", "), f.Key.KID)
	if len(f.Payload) > 0 {
		_ = printClaims(w, f.Payload)
	}
}
