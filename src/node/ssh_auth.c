/*
 * ssh_auth.c: user authentication of an SSH connection (see ssh.h): the
 * private key checked before libssh2 tries it, then public key, password
 * and keyboard-interactive, with messages that say which failed and why.
 */
#include "ssh.h"
#include "ssh_int.h"
#include "known_hosts.h"
#include "../state/log.h"
#include "../util/fs.h"
#include "../util/str.h"

const char *ssh_key_unusable(const char *text, size_t len,
			     const char *passphrase)
{
	struct sshkey_info info;
	const char *why;
	char *lib;
	bool ed25519;

	if (sshkey_info(text, len, &info, &why))
		return why;
	if (!strcmp(info.type, "ssh-ed25519")) {
		lib = ssh_supported(SSH_HOSTKEY);
		ed25519 = ssh_list_has(lib, "ssh-ed25519");
		free(lib);
		if (!ed25519)
			return "an Ed25519 key, which this build cannot use (BearSSL has no Ed25519); use an RSA or ECDSA key";
	}
	if (!strcmp(info.type, "ssh-dss"))
		return "a DSA key, which neither icm nor current OpenSSH servers accept; use an RSA or ECDSA key";
	if (!strcmp(info.format, "PuTTY"))
		return "in PuTTY's format; convert it with 'puttygen KEY -O private-openssh'";
	if (info.encrypted && (!passphrase || !*passphrase))
		return "protected by a passphrase, and none was given";
	return NULL;
}

/* Reads the key text; checks what it is before libssh2 tries it. */
static int load_key(struct ssh_conn *c, const struct ssh_target *t,
		    struct buf *key, const char *keyname)
{
	const char *why;

	if (t->privkey_mem) {
		if (buf_adds(key, t->privkey_mem))
			return ssh_fail(c, "%s: key '%s' is too large", c->peer,
					keyname);
	} else if (fs_read_file(t->privkey_path, key)) {
		return ssh_fail(c, "%s: cannot read key file '%s': %s", c->peer,
				keyname, fs_strerror(errno));
	}
	why = ssh_key_unusable(key->data ? key->data : "", key->len,
			       t->passphrase);
	if (why)
		return ssh_fail(c, "%s: key '%s' is %s", c->peer, keyname, why);
	return 0;
}

/*
 * keyboard-interactive: the password answers every prompt that does not
 * echo (the "Password: " of PAM); prompts that echo get an empty answer.
 * libssh2 frees the answers.
 */
static void kbd_answer(const char *name, int name_len, const char *instr,
		       int instr_len, int n,
		       const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
		       LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses,
		       void **abstract)
{
	struct ssh_conn *c = *abstract;
	int i;

	(void)name; (void)name_len; (void)instr; (void)instr_len;
	for (i = 0; i < n; i++) {
		const char *a = !prompts[i].echo && c->password ?
				c->password : "";

		responses[i].text = xstrdup(a);
		responses[i].length = (unsigned int)strlen(a);
	}
}

static int try_password(struct ssh_conn *c, const struct ssh_target *t,
			const char *methods, int64_t deadline)
{
	unsigned int ulen = (unsigned int)strlen(t->user);
	int rc = LIBSSH2_ERROR_AUTHENTICATION_FAILED;

	c->password = t->password;
	if (ssh_list_has(methods, "password"))
		SSH_RETRY(c, deadline, rc, libssh2_userauth_password_ex(
			      c->s, t->user, ulen, t->password,
			      (unsigned int)strlen(t->password), NULL));
	if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED &&
	    ssh_list_has(methods, "keyboard-interactive"))
		SSH_RETRY(c, deadline, rc,
			  libssh2_userauth_keyboard_interactive_ex(
				  c->s, t->user, ulen, kbd_answer));
	c->password = NULL;
	return rc;
}

static int key_error(struct ssh_conn *c, const struct ssh_target *t,
		     const char *keyname, int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_EAGAIN:
		return ssh_fail(c, "%s: no answer to public key authentication within %d ms",
				c->peer, c->io_timeout_ms);
	case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
	case LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
		return ssh_fail(c, "%s: permission denied (publickey) for user '%s' with key '%s': is the public key in ~%s/.ssh/authorized_keys?",
				c->peer, t->user, keyname, t->user);
	case LIBSSH2_ERROR_FILE:
	case LIBSSH2_ERROR_KEYFILE_AUTH_FAILED:
		if (t->passphrase && *t->passphrase)
			return ssh_fail(c, "%s: cannot use key '%s': wrong passphrase, or a key this build cannot read (%s)",
					c->peer, keyname, ssh_last_error(c));
		return ssh_fail(c, "%s: cannot use key '%s': %s", c->peer, keyname,
				ssh_last_error(c));
	default:
		return ssh_fail(c, "%s: public key authentication as '%s' failed: %s",
				c->peer, t->user, ssh_last_error(c));
	}
}

/* After the key (if any) did not do: why, for the password's message. */
static int password_error(struct ssh_conn *c, const struct ssh_target *t,
			  const char *keyname, const char *key_why, int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_EAGAIN:
		return ssh_fail(c, "%s: no answer to password authentication within %d ms",
				c->peer, c->io_timeout_ms);
	case LIBSSH2_ERROR_PASSWORD_EXPIRED:
		return ssh_fail(c, "%s: the password of user '%s' has expired; set a new one on the host",
				c->peer, t->user);
	case LIBSSH2_ERROR_AUTHENTICATION_FAILED:
		if (!key_why)
			return ssh_fail(c, "%s: permission denied (password) for user '%s': password refused (is SSHPassword right?)",
					c->peer, t->user);
		return ssh_fail(c, "%s: permission denied for user '%s': %s, password refused (is the public key in ~%s/.ssh/authorized_keys? is SSHPassword right?)",
				c->peer, t->user, key_why, t->user);
	default:
		return ssh_fail(c, "%s: password authentication as '%s' failed: %s",
				c->peer, t->user, ssh_last_error(c));
	}
	(void)keyname;
}

/*
 * The public key first; then, if the target has a password, "password"
 * and "keyboard-interactive".
 */
int ssh_authenticate(struct ssh_conn *c, const struct ssh_target *t)
{
	const char *keyname = t->privkey_path ? t->privkey_path : "(in memory)";
	int64_t deadline = ssh_now_ms() + c->io_timeout_ms;
	unsigned int ulen = (unsigned int)strlen(t->user);
	bool have_key = t->privkey_path || t->privkey_mem;
	bool have_pw = t->password && *t->password;
	char *methods = NULL, *key_why = NULL;
	const char *m;
	struct buf key;
	int rc, ret = -1;

	buf_init(&key, SSH_CAP_KEYFILE);
	if (have_key && load_key(c, t, &key, keyname))
		goto out;
	/* The "none" request tells which methods the server takes. */
	do
		m = libssh2_userauth_list(c->s, t->user, ulen);
	while (!m && libssh2_session_last_errno(c->s) ==
		     LIBSSH2_ERROR_EAGAIN && ssh_wait_io(c, deadline) == 0);
	if (!m) {
		if (libssh2_userauth_authenticated(c->s)) {
			ret = 0;
			goto out;
		}
		ssh_fail(c, "%s: no answer to the authentication request for user '%s': %s",
			 c->peer, t->user, ssh_last_error(c));
		goto out;
	}
	methods = xstrdup(m);
	if (have_key && ssh_list_has(methods, "publickey")) {
		SSH_RETRY(c, deadline, rc,
			  libssh2_userauth_publickey_frommemory(
				  c->s, t->user, ulen, NULL, 0, key.data,
				  key.len, t->passphrase ? t->passphrase : ""));
		if (rc == 0) {
			ret = 0;
			goto out;
		}
		if (!have_pw || (rc != LIBSSH2_ERROR_AUTHENTICATION_FAILED &&
				 rc != LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)) {
			key_error(c, t, keyname, rc);
			goto out;
		}
		key_why = xasprintf("key '%s' refused", keyname);
	} else if (have_key) {
		if (!have_pw) {
			ssh_fail(c, "%s: the server does not take public keys for user '%s' (it offers: %s)",
				 c->peer, t->user, methods);
			goto out;
		}
		key_why = xasprintf("the server takes no public keys (it offers: %s)",
				    methods);
	}
	if (!have_pw) {
		ssh_fail(c, "%s: no key and no password for user '%s'", c->peer,
			 t->user);
		goto out;
	}
	if (!ssh_list_has(methods, "password") &&
	    !ssh_list_has(methods, "keyboard-interactive")) {
		if (key_why)
			ssh_fail(c, "%s: permission denied for user '%s': %s, and the server takes no passwords (it offers: %s)",
				 c->peer, t->user, key_why, methods);
		else
			ssh_fail(c, "%s: the server takes no passwords for user '%s' (it offers: %s)",
				 c->peer, t->user, methods);
		goto out;
	}
	rc = try_password(c, t, methods, deadline);
	if (rc == 0)
		ret = 0;
	else
		password_error(c, t, keyname, key_why, rc);
out:
	free(methods);
	free(key_why);
	buf_wipe(&key);
	return ret;
}
