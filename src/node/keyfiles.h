/*
 * keyfiles.h: the SSH key files provision will use, checked before it
 * changes anything (issue 14: a refusal writes nothing).
 *
 * provision reaches every node but a load balancer over SSH
 * (provider_prepare_nodes()): it logs in with the private key
 * fanout_target() picks (SSHPrivateKey, else KeyFile; a node reached with
 * SSHPassword alone needs none) and puts SSHPublicKey in the user's
 * authorized_keys (node_prepare(); AWS imports the same file as the key
 * pair).  Found missing only there, a bad key file would stop provision
 * after the lock, icm.log and the deployment CA were written.
 */
#ifndef ICM_NODE_KEYFILES_H
#define ICM_NODE_KEYFILES_H

#include "../icm.h"
#include "../config/plan.h"

/*
 * Checks each distinct key file of p's nodes once, with the parsers that
 * will use it: SSHPublicKey by authkey_read(), the private key by
 * ssh_key_unusable() (without a passphrase: fanout_target() gives none).
 * 0, or -1 reported for the first node (in plan order) whose file fails:
 * "<node>: <field> '<path>' cannot be used: <why>".  O(n log n) in nodes.
 */
int keyfiles_check(const struct plan *p) WARN_UNUSED;

#endif
