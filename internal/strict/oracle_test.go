package strict

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/sealjwt/sealjwt/internal/errs"
)

// This is the reference the scanner is fuzzed against: the same checks
// built on encoding/json's tokenizer, simple and slow.

// Object checks that data is exactly one JSON object with no duplicate
// member names at any depth, and returns its top-level member names in
// order. Callers then unmarshal with encoding/json knowing that "last one
// wins" can no longer be exploited.
func oracleObject(data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: not a JSON object", errs.ErrMalformed)
	}
	keys, err := oracleWalkObject(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after JSON object", errs.ErrMalformed)
	}
	return keys, nil
}

// oracleWalkObject consumes an object whose '{' was already read.
func oracleWalkObject(dec *json.Decoder, depth int) ([]string, error) {
	if depth > MaxDepth {
		return nil, fmt.Errorf("%w: JSON nested too deeply", errs.ErrMalformed)
	}
	var keys []string
	seen := make(map[string]struct{})
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errs.ErrMalformed, err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("%w: bad JSON member name", errs.ErrMalformed)
		}
		if _, dup := seen[name]; dup {
			return nil, fmt.Errorf("%w: %w %q", errs.ErrMalformed, ErrDuplicate, name)
		}
		seen[name] = struct{}{}
		if depth == 0 {
			keys = append(keys, name)
		}
		if err := oracleWalkValue(dec, depth+1); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil { // closing '}'
		return nil, fmt.Errorf("%w: %v", errs.ErrMalformed, err)
	}
	return keys, nil
}

func oracleWalkValue(dec *json.Decoder, depth int) error {
	if depth > MaxDepth {
		return fmt.Errorf("%w: JSON nested too deeply", errs.ErrMalformed)
	}
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("%w: %v", errs.ErrMalformed, err)
	}
	switch tok {
	case json.Delim('{'):
		_, err := oracleWalkObject(dec, depth)
		return err
	case json.Delim('['):
		for dec.More() {
			if err := oracleWalkValue(dec, depth+1); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return fmt.Errorf("%w: %v", errs.ErrMalformed, err)
		}
	}
	return nil
}
