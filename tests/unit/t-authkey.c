/*
 * t-authkey.c: node/authkey, the SSHPublicKey file as one authorized_keys
 * line.  Both forms icm keygen ssh writes (OpenSSH line, RFC 4716) give the
 * same line; an ssh-keygen ed25519 key in both forms (ssh-keygen -e made
 * the RFC 4716 one); what is not a usable public key is refused.
 */
#include "icm.h"
#include "crypto/key.h"
#include "crypto/sshkey.h"
#include "node/authkey.h"
#include "tap.h"

#define ED_B64 "AAAAC3NzaC1lZDI1NTE5AAAAIF3drTueqLlBDaLIsvnG/qhFD2XyvHnAopx5R+eWD/rQ"

/* The line authkey_line() makes of text, or "refused: <why>". */
static const char *line_of(const char *text)
{
	static char got[8192];
	struct buf out;
	const char *why;

	buf_init(&out, AUTHKEY_FILE_CAP);
	if (authkey_line(text, strlen(text), &out, &why))
		snprintf(got, sizeof(got), "refused: %s", why);
	else
		snprintf(got, sizeof(got), "%s", out.data);
	buf_release(&out);
	return got;
}

static void icm_keys(enum key_type type, unsigned bits, const char *name)
{
	static struct key k;
	struct buf line, ssh2, want;
	char what[128];

	buf_init(&line, AUTHKEY_FILE_CAP);
	buf_init(&ssh2, AUTHKEY_FILE_CAP);
	buf_init(&want, AUTHKEY_FILE_CAP);
	if (key_generate(&k, type, bits) ||
	    sshkey_openssh(&k, "icm@test", &line) ||
	    sshkey_rfc4716(&k, "a comment that is long enough to be cut by the writer", &ssh2) ||
	    sshkey_openssh(&k, NULL, &want)) {
		ok(0, "%s: icm's key and its forms", name);
		goto out;
	}
	snprintf(what, sizeof(what), "%s: the OpenSSH line gives the line "
		 "without its comment", name);
	is_str(line_of(line.data), want.data, what);
	snprintf(what, sizeof(what), "%s: the RFC 4716 form gives the same "
		 "line", name);
	is_str(line_of(ssh2.data), want.data, what);
out:
	key_wipe(&k);
	buf_release(&line);
	buf_release(&ssh2);
	buf_release(&want);
}

int main(void)
{
	icm_keys(KEY_RSA, 2048, "RSA 2048");
	icm_keys(KEY_EC, 256, "P-256");

	is_str(line_of("ssh-ed25519 " ED_B64 " user@host\n"),
	       "ssh-ed25519 " ED_B64 "\n", "ssh-keygen's ed25519 line");
	is_str(line_of("\n\r\n---- BEGIN SSH2 PUBLIC KEY ----\r\n"
		       "Comment: \"256-bit ED25519, \\\r\n"
		       "converted by root@vm from OpenSSH\"\r\n"
		       ED_B64 "\r\n"
		       "---- END SSH2 PUBLIC KEY ----\r\n"),
	       "ssh-ed25519 " ED_B64 "\n",
	       "ssh-keygen -e's RFC 4716 form, CRLF, a continued header");
	is_str(line_of("ssh-ed25519 " ED_B64),
	       "ssh-ed25519 " ED_B64 "\n", "a line without comment or newline");

	is_str(line_of(""), "refused: it is empty", "an empty file");
	is_str(line_of("\n\n"), "refused: it is empty", "blank lines");
	is_str(line_of("ssh-rsa " ED_B64 "\n"),
	       "refused: the type at the start of the line is not the key's",
	       "a line whose type is not its key's");
	is_str(line_of("ssh-ed25519 AAAA$(reboot)\n"),
	       "refused: it is neither an OpenSSH public key line nor an RFC 4716 (SSH2) public key",
	       "shell text in the base64");
	is_str(line_of("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n"),
	       "refused: it is neither an OpenSSH public key line nor an RFC 4716 (SSH2) public key",
	       "a private key");
	is_str(line_of("ssh-dss AAAAB3NzaC1kc3M=\n"),
	       "refused: it is neither an OpenSSH public key line nor an RFC 4716 (SSH2) public key",
	       "a DSA key line");
	is_str(line_of("---- BEGIN SSH2 PUBLIC KEY ----\nAAAAB3NzaC1kc3M=\n"
		       "---- END SSH2 PUBLIC KEY ----\n"),
	       "refused: its key type is not one OpenSSH accepts",
	       "a DSA key in RFC 4716 form");
	is_str(line_of("---- BEGIN SSH2 PUBLIC KEY ----\n" ED_B64 "\n"),
	       "refused: it has no '---- END SSH2 PUBLIC KEY ----' line",
	       "RFC 4716 without its END line");
	is_str(line_of("---- BEGIN SSH2 PUBLIC KEY ----\nAA!A\n"
		       "---- END SSH2 PUBLIC KEY ----\n"),
	       "refused: its key lines are not base64", "RFC 4716 with bad base64");
	return done_testing();
}
