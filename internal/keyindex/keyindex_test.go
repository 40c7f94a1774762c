package keyindex

import (
	"errors"
	"testing"

	"github.com/sealjwt/sealjwt/internal/errs"
)

type key struct{ kid string }

func (k *key) KID() string { return k.kid }

func TestByKID(t *testing.T) {
	a, b := &key{"a"}, &key{"b"}
	byID, err := ByKID([]*key{a, b}, nil)
	if err != nil || byID["a"] != a || byID["b"] != b || len(byID) != 2 {
		t.Fatalf("ByKID = %v, %v", byID, err)
	}
	for name, keys := range map[string][]*key{
		"duplicate kid": {a, &key{"a"}},
		"nil key":       {a, nil},
		"unusable key":  {a, &key{""}},
	} {
		if _, err := ByKID(keys, func(k *key) bool { return k.kid != "" }); !errors.Is(err, errs.ErrInvalidKey) {
			t.Errorf("%s: err = %v, want ErrInvalidKey", name, err)
		}
	}
}
