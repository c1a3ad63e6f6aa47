package rsync

import "syscall"

// syscallNoFollow makes open fail on a symlink (Linux O_NOFOLLOW).
const syscallNoFollow = syscall.O_NOFOLLOW
