package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/sealjwt/sealjwt/cmd/internal/load"
)

// LoadPlan is a load run of POSTs of one body to one URL.
type LoadPlan struct {
	URL         string
	Body        []byte
	ContentType string
	Config      load.Config
}

// RunLoad sends the plan's requests through c, which must seal them,
// printing a progress line to progress (if not nil) and returning the
// summary. The target must be on this machine.
func RunLoad(ctx context.Context, c *http.Client, p LoadPlan, progress io.Writer) (*load.Result, error) {
	if err := load.CheckLoopback(p.URL); err != nil {
		return nil, err
	}
	cfg := p.Config
	if progress != nil {
		start := time.Now()
		cfg.Progress = func(done, failed int64) {
			fmt.Fprintf(progress, "\r  %s  %d requests, %d errors, %.0f/s   ", progressTime(start), done, failed,
				float64(done)/time.Since(start).Seconds())
		}
	}
	res, err := load.Run(ctx, cfg, func(ctx context.Context, _ int) error {
		_, err := Do(ctx, c, http.MethodPost, p.URL, p.Body, p.ContentType)
		return err
	})
	if progress != nil {
		fmt.Fprintln(progress)
	}
	return res, err
}

func progressTime(start time.Time) string {
	return time.Since(start).Round(time.Second).String()
}
