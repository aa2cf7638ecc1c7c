/*
 * ssh_kex.c: the key exchange of an SSH connection (see ssh.h): the
 * algorithm lists offered (host-key types pinned in known_hosts first),
 * the handshake and its failures, and the host key checked against
 * known_hosts (or pinned on first use).
 */
#include "ssh.h"
#include "ssh_int.h"
#include "known_hosts.h"
#include "../state/log.h"
#include "../util/str.h"

/* The pinned key types first, as ssh orders its host-key algorithms. */
static char *hostkey_pref(const char *pinned, const char *supported)
{
	struct buf b;
	const char *p;
	char name[64];
	size_t n;
	int pass;

	buf_init(&b, 64 << 10);
	for (pass = 0; pass < 2; pass++) {
		for (p = pass ? supported : pinned; *p;
		     p += strcspn(p, ","), p += *p == ',') {
			n = strcspn(p, ",");
			if (n >= sizeof(name))
				continue;
			memcpy(name, p, n);
			name[n] = '\0';
			/* An RSA key signs with SHA-2 (ssh-rsa is SHA-1). */
			if (!pass && !strcmp(name, "ssh-rsa")) {
				if (buf_addf(&b, "%srsa-sha2-512,rsa-sha2-256",
					     b.len ? "," : ""))
					break;
				continue;
			}
			if (!ssh_list_has(supported, name) ||
			    ssh_list_has(b.data, name))
				continue;
			if (buf_addf(&b, "%s%s", b.len ? "," : "", name))
				break;
		}
	}
	return buf_take(&b);
}

/*
 * A forced key-exchange list keeps libssh2's pseudo-methods: ext-info-c
 * (server-sig-algs) and strict key exchange (the Terrapin fix).
 */
static char *kex_pref(const char *want)
{
	static const char *const extra[] = {
		"ext-info-c", "kex-strict-c-v00@openssh.com",
	};
	char *supported = ssh_supported(SSH_KEX), *ret = xstrdup(want), *t;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(extra); i++) {
		if (!ssh_list_has(supported, extra[i]) ||
		    ssh_list_has(ret, extra[i]))
			continue;
		t = xasprintf("%s,%s", ret, extra[i]);
		free(ret);
		ret = t;
	}
	free(supported);
	return ret;
}

static int set_prefs(struct ssh_conn *c, const struct ssh_target *t,
		     const char *kh_text, int port, char *ours[SSH_NMETHODS],
		     char **lib_hostkeys)
{
	static const int both[SSH_NMETHODS] = {
		-1, -1, LIBSSH2_METHOD_CRYPT_SC, LIBSSH2_METHOD_MAC_SC,
	};
	struct kh_lookup pins;
	int m;

	kh_check(kh_text, t->host, port, NULL, 0, &pins);
	*lib_hostkeys = ssh_supported(SSH_HOSTKEY);
	for (m = 0; m < SSH_NMETHODS; m++) {
		if (m == SSH_KEX && t->prefs[m])
			ours[m] = kex_pref(t->prefs[m]);
		else if (t->prefs[m])
			ours[m] = xstrdup(t->prefs[m]);
		else if (m == SSH_HOSTKEY)
			ours[m] = hostkey_pref(pins.pinned_types,
					       *lib_hostkeys ? *lib_hostkeys : "");
		else
			ours[m] = ssh_supported(m);
		if (!ours[m] || !*ours[m] ||
		    (!t->prefs[m] && (m != SSH_HOSTKEY || !*pins.pinned_types)))
			continue;       /* libssh2's defaults */
		if (libssh2_session_method_pref(c->s, ssh_method_ids[m],
						ours[m]) ||
		    (both[m] >= 0 &&
		     libssh2_session_method_pref(c->s, both[m], ours[m])))
			return ssh_fail(c, "%s: this build supports none of the %s methods '%s'",
					c->peer, (const char *[]){ "key exchange",
					"host key", "cipher", "MAC" }[m], ours[m]);
	}
	return 0;
}

int ssh_handshake(struct ssh_conn *c, const struct ssh_target *t,
		  const char *kh_text, int port, int io_ms)
{
	char *ours[SSH_NMETHODS] = { NULL }, *lib_hostkeys = NULL;
	int64_t deadline = ssh_now_ms() + io_ms;
	int rc, m, ret = -1;

	if (set_prefs(c, t, kh_text, port, ours, &lib_hostkeys))
		goto out;
	SSH_RETRY(c, deadline, rc, libssh2_session_handshake(c->s, c->fd));
	switch (rc) {
	case 0:
		ret = 0;
		break;
	case LIBSSH2_ERROR_EAGAIN:
		ret = ssh_transient(c, "%s: no SSH handshake within %d ms (is it an SSH server? is it overloaded?)",
				    c->peer, io_ms);
		break;
	case LIBSSH2_ERROR_BANNER_RECV:
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_SEND:
		ret = ssh_transient(c, "%s: the server closed the connection during the SSH handshake (%s; sshd's MaxStartups limit, or not an SSH server?)",
			    c->peer, ssh_last_error(c));
		break;
	case LIBSSH2_ERROR_KEX_FAILURE:
		ret = ssh_explain_kex_failure(c->peer,
					      (struct sockaddr *)&c->addr,
					      c->addrlen, c->io_timeout_ms,
					      ours, lib_hostkeys,
					      ssh_last_error(c), &c->error);
		break;
	default:
		ret = ssh_fail(c, "%s: the SSH handshake failed: %s", c->peer,
			       ssh_last_error(c));
	}
out:
	for (m = 0; m < SSH_NMETHODS; m++)
		free(ours[m]);
	free(lib_hostkeys);
	return ret;
}

int ssh_check_hostkey(struct ssh_conn *c, const struct ssh_target *t,
		      const char *kh_text, int port)
{
	const char *path = t->known_hosts_path;
	const unsigned char *key;
	char fp[KH_FP_LEN], type[40], *name;
	struct kh_lookup lk;
	size_t len = 0;
	int ktype, ret = -1;

	key = (const unsigned char *)libssh2_session_hostkey(c->s, &len,
							     &ktype);
	if (!key || !len)
		return ssh_fail(c, "%s: the server sent no host key", c->peer);
	kh_fingerprint(key, len, fp);
	kh_blob_type(key, len, type, sizeof(type));
	name = kh_hostname(t->host, port);
	kh_check(kh_text, t->host, port, key, len, &lk);
	if (lk.result == KH_NOTFOUND && t->hostkey_policy == HOSTKEY_PIN_NEW) {
		if (kh_pin(path, t->host, port, key, len, &lk))
			goto out;
		if (lk.result == KH_NOTFOUND) {
			debug("%s: pinned host key %s %s for '%s' in %s",
			      c->peer, kh_type_label(type), fp, name, path);
			ret = 0;
			goto out;
		}
	}
	switch (lk.result) {
	case KH_MATCH:
		ret = 0;
		break;
	case KH_NOTFOUND:
		ssh_fail(c, "%s: host '%s' is not in known_hosts file '%s' (strict host key checking): the server presented %s %s; pin it when the machine is created, or add its key if you know it to be right",
			 c->peer, name, path, kh_type_label(type), fp);
		break;
	case KH_REVOKED:
		ssh_fail(c, "%s: the host key %s %s of '%s' is marked @revoked in %s line %d",
			 c->peer, kh_type_label(type), fp, name, path, lk.line);
		break;
	case KH_MISMATCH:
		ssh_fail(c, "%s: host key mismatch for '%s': the server presented %s %s but known_hosts pins %s%s%s (a reinstalled or different host? remove line %d from %s if this is expected)",
			 c->peer, name, kh_type_label(type), fp,
			 strcmp(lk.pinned_type, type) ? lk.pinned_type : "",
			 strcmp(lk.pinned_type, type) ? " " : "", lk.pinned_fp,
			 lk.line, path);
		break;
	}
out:
	free(name);
	return ret;
}
