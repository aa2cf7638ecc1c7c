/*
 * t-ssh.c: the SSH layer's parts that need no server (node/known_hosts,
 * node/ssh error paths).  The vectors were made with OpenSSH 9.2's
 * ssh-keygen (fingerprints with -l, hashed names with -H); the keys are
 * throw-away test keys.
 */
#include "icm.h"
#include "crypto/sshkey.h"
#include "node/known_hosts.h"
#include "node/ssh.h"
#include "state/log.h"
#include "util/fs.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EC_B64 "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKGZPODGFhU2ASx/BoZx8ROAhe8Tdbt3k2Dyuepnxq6UPdTARqjbLfX/o66SdcoNpLpePJzbNYT1KSSxsLl1CCs="
#define EC_FP "SHA256:4x3XcCgS29TuR7BwRPNU5W7zsHVAQ8bZQ4RzQbsJ++4"
#define ED_B64 "AAAAC3NzaC1lZDI1NTE5AAAAIEmCcC2nUr/gsxv/hsbj8+af9jU28vBzFJ6cvpf+Qi2e"
#define ED_FP "SHA256:iq4J/N8jaxC6rC1EtkE/qLYkq5ShNpRBn7nIBRK0Ydc"
/* ssh-keygen -H of "host.example" and "[10.0.0.5]:2222" with EC_B64. */
#define HASHED_HOST "|1|VdG3yYeQqycC/8fvOaFHEv7/xFg=|c+MDEBL6ljhVYgn84dDBKLQA/ms="
#define HASHED_PORT "|1|YsJD3ESAp+xIvB/XOceyf1znjbM=|ekv82nLf0ZmwQ//CNrVAmTTZdBo="

static const char ed_key[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
	"QyNTUxOQAAACBJgnAtp1K/4LMb/4bG4/Pmn/Y1NvLwcxSenL6X/kItngAAAIg9aYwDPWmM\n"
	"AwAAAAtzc2gtZWQyNTUxOQAAACBJgnAtp1K/4LMb/4bG4/Pmn/Y1NvLwcxSenL6X/kItng\n"
	"AAAECyLaTDLEOdDbICrb6UXn4KFWQccSEAMzWtTmsxYLjRQ0mCcC2nUr/gsxv/hsbj8+af\n"
	"9jU28vBzFJ6cvpf+Qi2eAAAAAAECAwQF\n"
	"-----END OPENSSH PRIVATE KEY-----\n";
static const char ed_key_pass[] =
	"-----BEGIN OPENSSH PRIVATE KEY-----\n"
	"b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABDf85DPzI\n"
	"qtKbJ8l22kBDHFAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIK1dpcEqwFlpKvSM\n"
	"35kmO5uimpOVNu5fii0dKYdQpIFYAAAAkBikqcJbePVYwZZec4oebo+wC3raJZzKGguOIP\n"
	"e+lC5oAOUkWMrN5zhSgD/nA2m5fhMEox09LiCHkDsvgPqYVpFX3dqOXkhGFZcV1D/92Sg+\n"
	"+U24+o8a/OJ6jIqHvniPanPVTrOAcjTtD23OZ6XNSzeclRS1T5Lq2g0G/vtOd5gf/6ujLx\n"
	"ZsY0qBXxAYWXBJXA==\n"
	"-----END OPENSSH PRIVATE KEY-----\n";

static struct buf ec, ed;

static enum kh_result check(const char *text, const char *host, int port,
			    const struct buf *key, struct kh_lookup *lk)
{
	kh_check(text, host, port, (unsigned char *)key->data, key->len, lk);
	return lk->result;
}

static void test_base64(void)
{
	struct buf b;

	buf_init(&b, 1024);
	ok(base64_add(&b, "foob", 4) == 0 &&
	   !strcmp(b.data, "Zm9vYg=="), "base64 of foob");
	buf_release(&b);
	ok(base64_decode(&b, "Zm9v\nYmE=", 9) == 0 && b.len == 5 &&
	   !memcmp(b.data, "fooba", 5), "decode skips newlines, takes padding");
	buf_release(&b);
	ok(base64_decode(&b, "Zm9v!", 5) == -1, "a stray character fails");
	ok(base64_decode(&b, "Zm9vY", 5) == -1, "a lone trailing character fails");
	ok(base64_decode(&b, "Zg=x", 4) == -1, "data after padding fails");
	buf_release(&b);
}

static void test_fingerprints(void)
{
	char fp[KH_FP_LEN], type[40];

	kh_fingerprint((unsigned char *)ec.data, ec.len, fp);
	is_str(fp, EC_FP, "ECDSA fingerprint as ssh-keygen -l shows it");
	kh_fingerprint((unsigned char *)ed.data, ed.len, fp);
	is_str(fp, ED_FP, "Ed25519 fingerprint");
	kh_blob_type((unsigned char *)ec.data, ec.len, type, sizeof(type));
	is_str(type, "ecdsa-sha2-nistp256", "key type from the blob");
	kh_blob_type((unsigned char *)ec.data, 3, type, sizeof(type));
	is_str(type, "", "a truncated blob has no type");
	is_str(kh_type_label("rsa-sha2-512"), "RSA", "label RSA");
	is_str(kh_type_label("ecdsa-sha2-nistp521"), "ECDSA", "label ECDSA");
	is_str(kh_type_label("ssh-ed25519"), "ED25519", "label ED25519");
}

static void test_check(void)
{
	struct kh_lookup lk;
	char *s;

	s = kh_hostname("10.0.0.5", 22);
	is_str(s, "10.0.0.5", "port 22 files under the bare name");
	free(s);
	s = kh_hostname("::1", 2222);
	is_str(s, "[::1]:2222", "other ports under [host]:port");
	free(s);

	is_int(check("host.example ecdsa-sha2-nistp256 " EC_B64 "\n",
		     "host.example", 22, &ec, &lk), KH_MATCH, "plain match");
	is_int(check("# comment\n\nHOST.example ecdsa-sha2-nistp256 " EC_B64,
		     "host.example", 22, &ec, &lk), KH_MATCH,
	       "names match without case; comments and blank lines skipped");
	is_int(lk.line, 3, "the matching line's number");
	is_int(check("host.example ecdsa-sha2-nistp256 " EC_B64 "\n",
		     "host.example", 2222, &ec, &lk), KH_NOTFOUND,
	       "another port is another host");
	is_int(check("[host.example]:2222 ecdsa-sha2-nistp256 " EC_B64 "\n",
		     "host.example", 2222, &ec, &lk), KH_MATCH,
	       "[host]:port entry");
	is_int(check("other,*.example ecdsa-sha2-nistp256 " EC_B64 "\n",
		     "host.example", 22, &ec, &lk), KH_MATCH,
	       "pattern list with a wildcard");
	is_int(check("*.example,!host.example ecdsa-sha2-nistp256 " EC_B64,
		     "host.example", 22, &ec, &lk), KH_NOTFOUND,
	       "a negated pattern wins");
	is_int(check("10.0.0.? ecdsa-sha2-nistp256 " EC_B64, "10.0.0.5", 22,
		     &ec, &lk), KH_MATCH, "? matches one character");
	is_int(check(HASHED_HOST " ecdsa-sha2-nistp256 " EC_B64 "\n",
		     "host.example", 22, &ec, &lk), KH_MATCH,
	       "hashed name (ssh-keygen -H)");
	is_int(check(HASHED_PORT " ecdsa-sha2-nistp256 " EC_B64 "\n",
		     "10.0.0.5", 2222, &ec, &lk), KH_MATCH,
	       "hashed [host]:port");
	is_int(check(HASHED_HOST " ecdsa-sha2-nistp256 " EC_B64 "\n",
		     "host.other", 22, &ec, &lk), KH_NOTFOUND,
	       "a hashed name for another host");

	is_int(check("a ssh-ed25519 " ED_B64 "\nhost.example ssh-ed25519 "
		     ED_B64 "\nhost.example ecdsa-sha2-nistp256 " ED_B64 "\n",
		     "host.example", 22, &ec, &lk), KH_MISMATCH,
	       "another key pinned: mismatch");
	is_int(lk.line, 3, "the mismatch names the line of the same type");
	is_str(lk.pinned_fp, ED_FP, "and that line's fingerprint");
	is_str(lk.pinned_types, "ssh-ed25519,ecdsa-sha2-nistp256",
	       "pinned types, once each");
	is_int(check("host.example ssh-ed25519 " ED_B64 "\n", "host.example",
		     22, &ec, &lk), KH_MISMATCH,
	       "a key of another type than the pinned one is a mismatch");
	is_str(lk.pinned_type, "ssh-ed25519", "the pinned type");
	is_int(check("host.example ecdsa-sha2-nistp256 " EC_B64 "\n"
		     "@revoked * ecdsa-sha2-nistp256 " EC_B64 "\n",
		     "host.example", 22, &ec, &lk), KH_REVOKED,
	       "@revoked beats a match");
	is_int(check("@cert-authority *.example ecdsa-sha2-nistp256 " EC_B64,
		     "host.example", 22, &ec, &lk), KH_NOTFOUND,
	       "@cert-authority lines are not pins");
	is_int(check("host.example ecdsa-sha2-nistp256 !!!notbase64\n"
		     "garbage\nhost.example ecdsa-sha2-nistp256 " EC_B64,
		     "host.example", 22, &ec, &lk), KH_MATCH,
	       "broken lines are skipped");
	is_int(check(NULL, "host.example", 22, &ec, &lk), KH_NOTFOUND,
	       "no file: not found");
}

static void too_slow(int sig)
{
	static const char msg[] =
		"not ok - wildcard matching still running after 5 s\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A known_hosts line of many stars cannot stall a lookup (issue 14). */
static void test_wildcard_time(void)
{
	struct kh_lookup lk;
	char line[512], host[201];
	double t0, took;
	int i;

	for (i = 0; i < 40; i++)
		memcpy(line + 2 * i, "*a", 2);
	snprintf(line + 80, sizeof(line) - 80, "*b ecdsa-sha2-nistp256 %s",
		 EC_B64);
	memset(host, 'a', 200);
	host[200] = '\0';
	signal(SIGALRM, too_slow);
	alarm(5);
	t0 = seconds();
	is_int(check(line, host, 22, &ec, &lk), KH_NOTFOUND,
	       "40 stars against 200 characters: no match");
	took = seconds() - t0;
	alarm(0);
	ok(took < 0.5, "and it takes %.3f s (linear matching)", took);
	is_int(check("*a*a*a*a*b*a*c*d ecdsa-sha2-nistp256 " EC_B64,
		     "zazaaqabqqaqcqd", 22, &ec, &lk), KH_MATCH,
	       "stars backtrack to the last one");
	is_int(check("**.example* ecdsa-sha2-nistp256 " EC_B64,
		     "host.example", 22, &ec, &lk), KH_MATCH,
	       "trailing and doubled stars match nothing too");
	is_int(check("h*?t.example ecdsa-sha2-nistp256 " EC_B64,
		     "ht.example", 22, &ec, &lk), KH_NOTFOUND,
	       "? still needs a character after a star");
}

struct pin_job {
	const char *path;
	int port;
	int ret;
};

static void *pin_thread(void *arg)
{
	struct pin_job *j = arg;
	struct kh_lookup lk;

	j->ret = kh_pin(j->path, "198.18.0.11", j->port,
			(unsigned char *)ec.data, ec.len, &lk);
	if (lk.result != KH_NOTFOUND)
		j->ret = -1;
	return NULL;
}

static void test_pin(const char *dir)
{
	char *path = xasprintf("%s/known_hosts", dir);
	struct pin_job jobs[8];
	pthread_t th[8];
	struct kh_lookup lk;
	struct stat st;
	struct buf b;
	int i, all = 0, lines = 0;

	ok(kh_pin(path, "198.18.0.10", 22, (unsigned char *)ec.data, ec.len,
		  &lk) == 0 && lk.result == KH_NOTFOUND, "pin a new host");
	buf_init(&b, KH_CAP_FILE);
	ok(fs_read_file(path, &b) == 0, "the file was created");
	is_str(b.data, "198.18.0.10 ecdsa-sha2-nistp256 " EC_B64 "\n",
	       "with one OpenSSH line");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "mode 0600");
	buf_release(&b);
	ok(kh_pin(path, "198.18.0.10", 22, (unsigned char *)ec.data, ec.len,
		  &lk) == 0 && lk.result == KH_MATCH, "pinning again: a match");
	ok(kh_pin(path, "198.18.0.10", 22, (unsigned char *)ed.data, ed.len,
		  &lk) == 0 && lk.result == KH_MISMATCH,
	   "pinning another key: a mismatch, not a second pin");
	for (i = 0; i < 8; i++) {
		jobs[i] = (struct pin_job){ path, 2200 + i, 0 };
		pthread_create(&th[i], NULL, pin_thread, &jobs[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		all |= jobs[i].ret;
	}
	ok(all == 0, "eight threads pin eight hosts");
	buf_init(&b, KH_CAP_FILE);
	if (fs_read_file(path, &b) == 0)
		for (i = 0; i < (int)b.len; i++)
			lines += b.data[i] == '\n';
	is_int(lines, 9, "no pin was lost");
	buf_release(&b);
	free(path);
	path = xasprintf("%s/missing/known_hosts", dir);
	ok(kh_pin(path, "h", 22, (unsigned char *)ec.data, ec.len, &lk) == -1,
	   "an unwritable file fails");
	ok(report_main_error() && strstr(report_main_error(),
				      "cannot write known_hosts file"),
	   "and says so");
	free(path);
}

static void test_keyinfo(void)
{
	struct sshkey_info info;
	const char *why = NULL;

	ok(sshkey_info(ed_key, strlen(ed_key), &info, &why) == 0 &&
	   !strcmp(info.type, "ssh-ed25519") && !info.encrypted &&
	   !strcmp(info.format, "OpenSSH"), "OpenSSH Ed25519 key");
	ok(sshkey_info(ed_key_pass, strlen(ed_key_pass), &info, &why) == 0 &&
	   !strcmp(info.type, "ssh-ed25519") && info.encrypted,
	   "encrypted OpenSSH key: type from the public part");
	ok(sshkey_info("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n", 37, &info,
		       &why) == 0 && !strcmp(info.type, "ssh-rsa") &&
	   !info.encrypted && !strcmp(info.format, "PEM"), "PEM RSA key");
	ok(sshkey_info("\n-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n",
		       55, &info, &why) == 0 && info.encrypted &&
	   !strcmp(info.type, "ecdsa"), "encrypted PEM EC key");
	ok(sshkey_info("ssh-rsa AAAAB3Nza x\n", 20, &info, &why) == -1 &&
	   strstr(why, "public key"), "a public key is refused as such");
	ok(sshkey_info("hello", 5, &info, &why) == -1 &&
	   strstr(why, "not a private key"), "other text is refused");
	ok(sshkey_info("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n", 41, &info,
		       &why) == -1 && strstr(why, "damaged"),
	   "a damaged OpenSSH key");
}

static void test_connect_errors(const char *dir)
{
	struct ssh_target t = { .host = "127.0.0.1", .user = "u",
				.privkey_mem = ed_key };
	struct ssh_conn *c = (struct ssh_conn *)1;
	char *kh = xasprintf("%s/kh", dir), *want;

	ok(ssh_connect(&t, &c, NULL) == -1 && c == NULL, "no known_hosts: refused");
	ok(strstr(report_main_error(), "no known_hosts file given") != NULL,
	   "and says so");
	t.known_hosts_path = kh;
	t.port = closed_port();
	t.passphrase = "unit-secret-passphrase";
	ok(ssh_connect(&t, &c, NULL) == -1, "nothing listening: fails");
	want = xasprintf("127.0.0.1:%d: connection refused (is sshd running and listening on port %d?)",
			 t.port, t.port);
	is_str(report_main_error(), want, "connection refused names host:port");
	free(want);
	ok(secret_found("x unit-secret-passphrase x"),
	   "the passphrase is registered as a secret");
	ssh_close(NULL);
	ok(ssh_negotiated(NULL, SSH_KEX) == NULL, "no connection, no method");
	free(kh);
}

static void test_backoff(void)
{
	struct ssh_target t = { .connect_timeout_ms = 2000 };
	struct ssh_retry r = { 60, 5000 };
	int lo = INT_MAX, hi = 0, d;
	uint32_t x = 12345, i;
	bool in = true;

	for (i = 0; i < 100000; i++) {
		x = x * 1103515245u + 12345u;
		d = ssh_backoff_ms(5000, x);
		in &= d >= 3750 && d <= 6250;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	ok(in, "backoff stays within interval +- 25 %%");
	ok(lo < 3800 && hi > 6200, "... and uses the whole range (%d..%d)", lo,
	   hi);
	is_int(ssh_backoff_ms(5000, 0), 3750, "rnd 0: the shortest pause");
	is_int(ssh_backoff_ms(5000, 2500), 6250, "the longest pause");
	is_int(ssh_backoff_ms(0, 77), 0, "interval 0: no pause");
	is_int(ssh_backoff_ms(3, 77), 3, "a tiny interval is kept");
	ok(ssh_retry_budget_ms(&t, &r) == 60LL * 7000,
	   "budget = attempts x (interval + connect timeout)");
	t.connect_timeout_ms = 0;
	ok(ssh_retry_budget_ms(&t, NULL) == 10000,
	   "no retry: one default connect timeout");
}

static void test_upload_dest(void)
{
	static const struct {
		const char *local; bool dir; const char *remote;
		enum ssh_remote_kind kind; const char *want; bool contents;
	} t[] = {
		{ "a/f.txt", false, "d/", SSH_REMOTE_MISSING, "d/f.txt", false },
		{ "a/f.txt", false, "d", SSH_REMOTE_DIR, "d/f.txt", false },
		{ "a/f.txt", false, "d", SSH_REMOTE_MISSING, "d", false },
		{ "a/f.txt", false, "d", SSH_REMOTE_FILE, "d", false },
		{ "f.txt", false, "", SSH_REMOTE_DIR, "./f.txt", false },
		{ "f.txt", false, "/", SSH_REMOTE_DIR, "/f.txt", false },
		{ "a/src/", true, "d", SSH_REMOTE_MISSING, "d", true },
		{ "a/src/", true, "d/", SSH_REMOTE_DIR, "d", true },
		{ "a/src", true, "d/", SSH_REMOTE_MISSING, "d/src", true },
		{ "a/src", true, "d", SSH_REMOTE_DIR, "d/src", true },
		{ "a/src", true, "d", SSH_REMOTE_MISSING, "d", true },
		{ "a/src//", true, "d//", SSH_REMOTE_DIR, "d", true },
		{ ".", true, "d", SSH_REMOTE_DIR, "d", true },
		{ "a/src", true, "d", SSH_REMOTE_FILE, NULL, false },
		{ "a/src/", true, "d", SSH_REMOTE_FILE, NULL, false },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		bool contents;
		char *got = ssh_upload_dest(t[i].local, t[i].dir, t[i].remote,
					    t[i].kind, &contents);

		ok(t[i].want ? got && !strcmp(got, t[i].want) &&
		   contents == t[i].contents : !got,
		   "upload %s%s -> '%s' (%s): %s", t[i].local,
		   t[i].dir ? " (dir)" : "", t[i].remote,
		   (const char *[]){ "missing", "file", "dir" }[t[i].kind],
		   t[i].want ? t[i].want : "refused");
		free(got);
	}
}

int main(void)
{
	char dir[] = "/tmp/t-ssh.XXXXXX";

	buf_init(&ec, 4096);
	buf_init(&ed, 4096);
	if (base64_decode(&ec, EC_B64, strlen(EC_B64)) ||
	    base64_decode(&ed, ED_B64, strlen(ED_B64)) || !mkdtemp(dir)) {
		printf("Bail out! setup\n");
		return 1;
	}
	test_base64();
	test_fingerprints();
	test_check();
	test_wildcard_time();
	test_pin(dir);
	test_keyinfo();
	test_connect_errors(dir);
	test_backoff();
	test_upload_dest();
	buf_release(&ec);
	buf_release(&ed);
	if (fs_remove_tree(dir))
		printf("# could not remove %s\n", dir);
	return done_testing();
}
