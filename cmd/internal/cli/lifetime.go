package cli

import (
	"flag"
	"time"

	"github.com/sealjwt/sealjwt/token"
)

// Lifetimes are the time flags of the commands that make or check tokens:
// --exp for those that make them, --leeway for those that check them, and
// --max-lifetime for both, with one default (token.DefaultMaxLifetime), so
// that what seal makes, open accepts.
type Lifetimes struct {
	Exp, Leeway, MaxLifetime time.Duration
	making                   bool
}

// RegisterMaking adds --exp and --max-lifetime (seal, sign).
func (l *Lifetimes) RegisterMaking(fs *flag.FlagSet) {
	l.making = true
	fs.DurationVar(&l.Exp, "exp", token.DefaultLifetime, "lifetime of the message: exp - iat, at most --max-lifetime")
	l.registerMax(fs, "the longest --exp allowed: the receiver's --max-lifetime")
}

// RegisterChecking adds --leeway and --max-lifetime (open, verify, receiver).
func (l *Lifetimes) RegisterChecking(fs *flag.FlagSet) {
	fs.DurationVar(&l.Leeway, "leeway", token.DefaultLeeway, "allowed clock skew, at most "+token.MaxLeeway.String())
	l.registerMax(fs, "the longest lifetime (exp - iat) accepted")
}

func (l *Lifetimes) registerMax(fs *flag.FlagSet, usage string) {
	fs.DurationVar(&l.MaxLifetime, "max-lifetime", token.DefaultMaxLifetime, usage)
}

// Check refuses values out of range as usage errors (exit code 2), saying
// what was expected and what was given.
func (l *Lifetimes) Check() error {
	if l.MaxLifetime < time.Second || l.MaxLifetime > token.MaxSignerLifetime {
		return Usagef("--max-lifetime must be 1s to %v, got %v", token.MaxSignerLifetime, l.MaxLifetime)
	}
	if !l.making {
		if l.Leeway < 0 || l.Leeway > token.MaxLeeway {
			return Usagef("--leeway must be 0s to %v, got %v", token.MaxLeeway, l.Leeway)
		}
		return nil
	}
	switch {
	case l.Exp < time.Second || l.Exp%time.Second != 0:
		return Usagef("--exp must be a whole number of seconds, at least 1s, got %v", l.Exp)
	case l.Exp > l.MaxLifetime:
		return Usagef("--exp %v is over --max-lifetime %v: receivers refuse longer lifetimes unless started with a larger --max-lifetime", l.Exp, l.MaxLifetime)
	}
	return nil
}
