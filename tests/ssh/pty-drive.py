#!/usr/bin/python3
# pty-drive.py ROWS COLS CMD...: runs CMD on a new pseudo-terminal of that
# size, prints everything it writes, exits with its exit status.  For the
# interactive-session tests (tests/e2e/33-ssh-features.sh).
import fcntl, os, pty, struct, sys, termios

rows, cols = int(sys.argv[1]), int(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.execvp(sys.argv[3], sys.argv[3:])
out = b""
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
sys.stdout.write(out.decode(errors="replace"))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
