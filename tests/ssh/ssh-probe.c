/*
 * ssh-probe: runs one command over icm's SSH layer (src/node/ssh.c), for
 * the interop tests (tests/e2e/32-ssh-interop.sh) and the benchmark
 * (bench/ssh-handshake).
 *
 *   ssh-probe -h host -p port -u user -i key [-P passphrase-file]
 *             -k known_hosts [--pin] [--mem] [--kex X] [--hostkey X]
 *             [--cipher X] [--mac X] [--print-methods] [-n N] [-c K]
 *             [--stdin FILE] [--timeout MS] -- command
 *   ssh-probe --supported | --version
 *
 * Prints the command's stdout (and its stderr on stderr) and exits with its
 * exit status; 255 with the error message on failure.  -n N connects N
 * times one after the other (each: connect, authenticate, run, close);
 * -c K runs the command K times on each connection (K channels).
 * --print-methods writes "methods: kex=... hostkey=... cipher=... mac=..."
 * on stderr.  --mem hands the key to the layer as text instead of a path.
 * --supported lists what this libssh2 build offers, one class a line;
 * --version prints the linked libssh2's version.
 *
 * Features beyond a command: --password-file F logs in with the password
 * in F when the key (-i, optional then) is refused; --retry N,MS connects
 * with ssh_connect_retry() (N attempts, MS apart); --keepalive S sets the
 * keepalive interval; --upload LOCAL -- REMOTE copies with ssh_upload()
 * (--no-sftp: by SCP) instead of running a command; --interactive runs the
 * command (or, with "-" as the command, a login shell) on a PTY.
 */
#include "icm.h"
#include "node/ssh.h"
#include "state/log.h"
#include "util/fs.h"
#include "util/str.h"
#include <getopt.h>

#define USAGE "usage: ssh-probe -h host -p port -u user -i key [-P passfile] -k known_hosts [--pin] [--mem] [--kex X] [--hostkey X] [--cipher X] [--mac X] [--print-methods] [-n N] [-c K] [--stdin FILE] [--timeout MS] [--password-file F] [--retry N,MS] [--keepalive S] [--interactive] -- command\n       ssh-probe ... [--no-sftp] --upload LOCAL -- REMOTE\n       ssh-probe --supported | --version\n"

static const char *const method_names[SSH_NMETHODS] = {
	"kex", "hostkey", "cipher", "mac",
};

static char *slurp(const char *path, bool chomp)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	if (fs_read_file(path, &b)) {
		fprintf(stderr, "ssh-probe: cannot read '%s': %s\n", path,
			strerror(errno));
		exit(255);
	}
	while (chomp && b.len && (b.data[b.len - 1] == '\n' ||
				  b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	return buf_take(&b);
}

static int supported(void)
{
	int m;

	for (m = 0; m < SSH_NMETHODS; m++) {
		char *list = ssh_supported(m);

		printf("%s: %s\n", method_names[m], list ? list : "(none)");
		free(list);
	}
	return 0;
}

static int run(struct ssh_conn *c, const char *cmd, const char *in)
{
	struct buf out, err;
	int status = 255;

	buf_init(&out, SSH_CAP_OUTPUT);
	buf_init(&err, SSH_CAP_OUTPUT);
	if (ssh_exec(c, cmd, in, &out, &err, &status))
		status = 255;
	if (out.len)
		fwrite(out.data, 1, out.len, stdout);
	if (err.len)
		fwrite(err.data, 1, err.len, stderr);
	buf_release(&out);
	buf_release(&err);
	return status;
}

int main(int argc, char **argv)
{
	enum { O_PIN = 256, O_MEM, O_PRINT, O_SUPPORTED, O_STDIN, O_TIMEOUT,
	       O_VERSION, O_KEX, O_HOSTKEY, O_CIPHER, O_MAC, O_PASSWORD,
	       O_RETRY, O_KEEPALIVE, O_UPLOAD, O_NOSFTP, O_INTERACTIVE };
	static const struct option opts[] = {
		{ "pin", no_argument, NULL, O_PIN },
		{ "mem", no_argument, NULL, O_MEM },
		{ "print-methods", no_argument, NULL, O_PRINT },
		{ "supported", no_argument, NULL, O_SUPPORTED },
		{ "version", no_argument, NULL, O_VERSION },
		{ "stdin", required_argument, NULL, O_STDIN },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "kex", required_argument, NULL, O_KEX },
		{ "hostkey", required_argument, NULL, O_HOSTKEY },
		{ "cipher", required_argument, NULL, O_CIPHER },
		{ "mac", required_argument, NULL, O_MAC },
		{ "password-file", required_argument, NULL, O_PASSWORD },
		{ "retry", required_argument, NULL, O_RETRY },
		{ "keepalive", required_argument, NULL, O_KEEPALIVE },
		{ "upload", required_argument, NULL, O_UPLOAD },
		{ "no-sftp", no_argument, NULL, O_NOSFTP },
		{ "interactive", no_argument, NULL, O_INTERACTIVE },
		{ NULL, 0, NULL, 0 },
	};
	struct ssh_target t = { .port = 22 };
	struct ssh_conn *c;
	struct ssh_retry retry = { 0, 0 };
	char *pass = NULL, *key = NULL, *in = NULL, *password = NULL, *end;
	bool mem = false, print = false, interactive = false;
	const char *upload = NULL;
	unsigned up_flags = 0;
	long n = 1, k = 1, v, i, j;
	int opt, status = 0;

	while ((opt = getopt_long(argc, argv, "h:p:u:i:P:k:n:c:", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'h': t.host = optarg; break;
		case 'p':
			if (str_to_long(optarg, &v) || v < 1 || v > 65535)
				goto usage;
			t.port = (int)v;
			break;
		case 'u': t.user = optarg; break;
		case 'i': t.privkey_path = optarg; break;
		case 'P': pass = slurp(optarg, true); break;
		case 'k': t.known_hosts_path = optarg; break;
		case 'n':
		case 'c':
			if (str_to_long(optarg, &v) || v < 1 || v > 100000)
				goto usage;
			*(opt == 'n' ? &n : &k) = v;
			break;
		case O_PIN: t.hostkey_policy = HOSTKEY_PIN_NEW; break;
		case O_MEM: mem = true; break;
		case O_PRINT: print = true; break;
		case O_SUPPORTED: return supported();
		case O_VERSION: puts(ssh_library_version()); return 0;
		case O_STDIN: in = slurp(optarg, false); break;
		case O_TIMEOUT:
			if (str_to_long(optarg, &v) || v < 1 || v > INT_MAX)
				goto usage;
			t.connect_timeout_ms = t.io_timeout_ms = (int)v;
			break;
		case O_UPLOAD: upload = optarg; break;
		case O_NOSFTP: up_flags |= SSH_UPLOAD_SCP; break;
		case O_INTERACTIVE: interactive = true; break;
		case O_PASSWORD: password = slurp(optarg, true); break;
		case O_RETRY:
			retry.attempts = (int)strtol(optarg, &end, 10);
			if (*end != ',' || retry.attempts < 1)
				goto usage;
			retry.interval_ms = (int)strtol(end + 1, &end, 10);
			if (*end || retry.interval_ms < 0)
				goto usage;
			break;
		case O_KEEPALIVE:
			if (str_to_long(optarg, &v) || v < 1 || v > 3600)
				goto usage;
			t.keepalive_s = (int)v;
			break;
		case O_KEX: case O_HOSTKEY: case O_CIPHER: case O_MAC:
			t.prefs[opt - O_KEX] = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1 || !t.host || !t.user ||
	    (!t.privkey_path && !password) || !t.known_hosts_path)
		goto usage;
	t.passphrase = pass;
	t.password = password;
	if (mem)
		t.privkey_mem = key = slurp(t.privkey_path, false);
	for (i = 0; i < n && status != 255; i++) {
		if (retry.attempts ? ssh_connect_retry(&t, &retry, &c, NULL) :
		    ssh_connect(&t, &c, NULL)) {
			status = 255;
			break;
		}
		if (print && i == 0) {
			fprintf(stderr, "methods:");
			for (j = 0; j < SSH_NMETHODS; j++) {
				const char *m = ssh_negotiated(c, (int)j);

				fprintf(stderr, " %s=%s", method_names[j],
					m ? m : "?");
			}
			fprintf(stderr, "\n");
		}
		if (upload)     /* the "command" is the remote path */
			status = ssh_upload(c, upload, argv[optind],
					    up_flags) ? 255 : 0;
		if (interactive && ssh_interactive(c, strcmp(argv[optind],
						   "-") ? argv[optind] : NULL,
						   &status))
			status = 255;
		for (j = 0; !upload && !interactive && j < k && status != 255; j++)
			status = run(c, argv[optind], in);
		ssh_close(c);
	}
	freezero_str(pass);
	freezero_str(password);
	freezero_str(key);
	free(in);
	if (fflush(stdout) || ferror(stdout))
		return 255;
	return status;
usage:
	fputs(USAGE, stderr);
	return 255;
}
