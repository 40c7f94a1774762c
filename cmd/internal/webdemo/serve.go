package webdemo

import (
	"context"
	"fmt"
	"io"
	"net"

	"github.com/sealjwt/sealjwt/cmd/internal/app"
)

// DefaultAddr picks a free port on the loopback interface.
const DefaultAddr = "127.0.0.1:0"

// Serve serves the demo with cfg (in development mode) over plain http on
// addr until ctx ends, and prints its URL to out. addr must be a loopback
// address: the demo's development cookies carry no Secure attribute, so
// they must not cross a network.
func Serve(ctx context.Context, addr string, out io.Writer, cfg Config) error {
	if err := CheckAddr(addr); err != nil {
		return err
	}
	cfg.Dev = true
	d, err := New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "sealjwt web demo: open http://%s/ (user %q, password %q); Ctrl-C stops it.\n",
		ln.Addr(), User, Password)
	fmt.Fprintf(out, "Plain http on localhost: the session cookies drop Secure and the __Host- prefix (development mode).\n")
	return app.Serve(ctx, ln, d, app.DefaultTimeouts)
}

// CheckAddr refuses an address that another machine could reach.
func CheckAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: want host:port, as 127.0.0.1:8080: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("address %q: want a loopback host (127.0.0.1, ::1 or localhost), found %q: "+
			"the demo's development cookies must not leave this machine", addr, host)
	}
	return nil
}
