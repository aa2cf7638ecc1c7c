/*
 * authkey.h: the SSHPublicKey file as one authorized_keys line.
 *
 * ICM's configurations name the public key in either form its keygen wrote
 * (icm keygen ssh writes both): the OpenSSH one-line form
 * ("ssh-rsa AAAA... comment", insecure.pub) or RFC 4716's "SSH2" form
 * (secure-ssh2.pub, the guide's SSHKey for AWS).  Node preparation puts
 * the key in the SSH user's ~/.ssh/authorized_keys before password login
 * is turned off, so a deployment first reached with SSHPassword stays
 * reachable with SSHPrivateKey.
 *
 * The file is untrusted: it is read with a cap, its base64 decoded and
 * re-encoded, and the key type taken from the decoded blob must be one
 * OpenSSH accepts; the comment is dropped.  So the line written on the
 * node is "<type> <base64>\n" and nothing else.
 */
#ifndef ICM_NODE_AUTHKEY_H
#define ICM_NODE_AUTHKEY_H

#include "../icm.h"
#include "../util/buf.h"

#define AUTHKEY_FILE_CAP (64u << 10)	/* a public key file */

/*
 * Parses the public key text (len bytes, either form) and appends the
 * authorized_keys line to out.  0, or -1 with a reason in why (a static
 * string; the caller names the file).
 */
int authkey_line(const char *text, size_t len, struct buf *out,
		 const char **why) WARN_UNUSED;

/*
 * Reads the file at path and appends its authorized_keys line to out.
 * 0, or -1 with the reason in why (a static string; not reported, so a
 * worker thread's caller can name the node and the file).
 */
int authkey_read(const char *path, struct buf *out, const char **why)
	WARN_UNUSED;

#endif
