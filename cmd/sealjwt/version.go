package main

import (
	"fmt"
	"runtime/debug"

	"github.com/sealjwt/sealjwt/cmd/internal/cli"
)

var versionCmd = cli.Command{
	Name: "sealjwt version",
	Summary: `Prints the module version sealjwt was built from (with the commit, when
built from a checkout), and the Go version.`,
	Examples: `sealjwt version
sealjwt --version`,
}

func runVersion(e env, args []string) int {
	fs := versionCmd.NewFlagSet()
	return versionCmd.Run(fs, args, e.stdout, e.stderr, func(rest []string) error {
		if len(rest) > 0 {
			return cli.Usagef("unexpected argument %q", rest[0])
		}
		fmt.Fprintln(e.stdout, versionLine())
		return nil
	})
}

// versionLine describes the build from debug.ReadBuildInfo: "(devel)" for
// a plain go build in a checkout, the module version for go install
// module@version, and the VCS revision when the build recorded it.
func versionLine() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "sealjwt (no build information)"
	}
	line := "sealjwt " + bi.Main.Version
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if rev := settings["vcs.revision"]; rev != "" {
		line += " " + rev[:min(12, len(rev))]
		if settings["vcs.modified"] == "true" {
			line += "+modified"
		}
	}
	return line + " " + bi.GoVersion
}
