//go:build !unix

package cli

// oNoFollow: O_EXCL alone refuses an existing symlink where there is no
// O_NOFOLLOW.
const oNoFollow = 0
