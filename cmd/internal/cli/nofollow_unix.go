//go:build unix

package cli

import "syscall"

// oNoFollow makes OpenFile fail on a symlink at the path.
const oNoFollow = syscall.O_NOFOLLOW
