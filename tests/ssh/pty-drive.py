#!/usr/bin/python3
# pty-drive.py [--input TEXT] ROWS COLS CMD...: runs CMD on a new
# pseudo-terminal of that size, prints everything it writes, exits with its
# exit status.  With --input, TEXT (backslash escapes such as \n honoured)
# is typed into the terminal once CMD has written its first output.  For
# the interactive-session tests (tests/e2e/33, 51, 54, 56).
import fcntl, os, pty, struct, sys, termios

args = sys.argv[1:]
typed = None
if args[:1] == ["--input"]:
    typed = args[1].encode().decode("unicode_escape").encode()
    args = args[2:]
rows, cols = int(args[0]), int(args[1])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.execvp(args[2], args[2:])
out = b""
while True:
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if typed is not None:
        os.write(fd, typed)
        typed = None
sys.stdout.write(out.decode(errors="replace"))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
