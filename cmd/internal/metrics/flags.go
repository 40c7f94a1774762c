package metrics

import (
	"flag"
	"io"
	"log/slog"

	"github.com/sealjwt/sealjwt"
)

// Flags are the operating flags of every command that receives:
// --metrics-addr and --log-level.
type Flags struct {
	Addr    string
	Level   slog.Level
	limiter *LogLimiter // made by Logger; its dropped lines are served by Start
}

// Register adds the flags to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Addr, "metrics-addr", "", "serve Prometheus metrics at `ADDR`"+Path+" (off by default; "+SuggestedAddr+" suggested)")
	fs.TextVar(&f.Level, "log-level", slog.LevelInfo, "log `LEVEL`: debug (every accepted message too), info (each refusal with its reason, at most 10 lines a second per reason), warn or error")
}

// Logger returns a text logger to w at the chosen level, writing at most
// RefusalLinesPerSecond lines a second for each refusal reason.
func (f *Flags) Logger(w io.Writer) *slog.Logger {
	f.limiter = NewLogLimiter(slog.NewTextHandler(w, &slog.HandlerOptions{Level: f.Level}), RefusalLinesPerSecond)
	return slog.New(f.limiter)
}

// Start serves metrics if --metrics-addr was set, and returns the observer
// that feeds them (nil when metrics are off) and a stop function.
func (f *Flags) Start(log *slog.Logger) (sealjwt.Observer, func(), error) {
	if f.Addr == "" {
		return nil, func() {}, nil
	}
	p := NewPrometheus()
	if f.limiter != nil {
		p.reg.MustRegister(f.limiter)
	}
	stop, err := Serve(f.Addr, p, log)
	if err != nil {
		return nil, nil, err
	}
	return p, stop, nil
}
