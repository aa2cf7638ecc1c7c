/*
 * pki.h: the deployment's own PKI under the state directory.
 *
 *   <stateDir>/pki/ca.pem, ca-key.pem       the deployment CA
 *   <stateDir>/pki/nodes/<machine>/server-cert.pem, server-key.pem
 *                                           one server certificate per node
 *                                           (serverAuth and clientAuth)
 *   <stateDir>/pki/client/cert.pem, key.pem the client certificate icm uses
 *
 * Every file is mode 0600 and every directory 0700 (design §3.4).
 *
 * A node certificate's SANs carry the machine name, the DNS name and the
 * IP addresses (IPAddress and PrivateIPAddress when set), because BearSSL
 * checks names, not IPs: icm reaches a node by its machine name pinned to
 * its IP.  Its subject CN is the machine name.
 *
 * The CA is made on first provision: provision (which does not exist yet
 * in this build) calls pki_ensure_ca() before it creates anything, then
 * pki_node_cert() for each node once its addresses are known.  Until then
 * `icm keygen tls -renew` does the same from instances.json.  A user's CA
 * in TLSKeyDir (ca.pem and ca-key.pem: RSA 2048-8192 or ECDSA P-256/P-384
 * in any form key_from_pem() reads) is adopted instead of making one.
 *
 * Leaf keys follow the CA's key type: P-256, or RSA of PKI_LEAF_RSA_BITS.
 * Nothing here prints; callers report.  Key material never reaches the
 * log.
 */
#ifndef ICM_PKI_H
#define ICM_PKI_H

#include "../icm.h"
#include "../crypto/key.h"

struct node;

#define PKI_DIR "pki"
#define PKI_CA_DAYS 3650		/* a CA icm makes: ten years */
#define PKI_RENEW_DAYS 30		/* renew what expires sooner */
#define PKI_LEAF_RSA_BITS 2048
#define PKI_MAX_SAN 8

enum pki_ca_result { PKI_CA_KEPT, PKI_CA_MADE, PKI_CA_ADOPTED };

/*
 * Makes sure <stateDir>/pki/ca.pem and ca-key.pem exist: kept when there
 * (checked to load and to match), else copied from tlskeydir when it holds
 * both files (checked the same way), else made (type, bits for RSA; valid
 * `days`).  Returns an enum pki_ca_result, or -1 reported with error().
 */
int pki_ensure_ca(const char *state_dir, const char *tlskeydir,
		  enum key_type type, unsigned bits, long days) WARN_UNUSED;
/* The same choice, checked (the state's CA or TLSKeyDir's loads and
 * matches), nothing written: provision's preflight, -plan's too. */
int pki_check_ca(const char *state_dir, const char *tlskeydir) WARN_UNUSED;

/* What a certificate on disk needs. */
enum pki_state {
	PKI_MISSING,		/* no certificate (or no key) */
	PKI_VALID,
	PKI_EXPIRING,		/* within PKI_RENEW_DAYS */
	PKI_EXPIRED,
	PKI_NAMES_CHANGED,	/* SANs differ from the node's names/IPs */
	PKI_OTHER_CA,		/* not signed by the deployment CA */
	PKI_KEY_MISMATCH,	/* the key file is not the certificate's */
	PKI_UNREADABLE,
};

struct pki_status {
	enum pki_state state;
	time_t expires;		/* notAfter when the certificate was read */
};

/* A short phrase for a state: "expired", "names changed", ... */
const char *pki_state_name(enum pki_state s);

/*
 * The SANs a node's certificate must carry, deduplicated: machine name,
 * DNSName, IPAddress, PrivateIPAddress (the IPs as inet_ntop() prints
 * them).  Returns how many were written to san[] (pointers into n's
 * fields and ip_text, which has room for PKI_MAX_SAN * 46 bytes).
 */
size_t pki_node_sans(const struct node *n, const char **san,
		     char ip_text[][46]);

/*
 * Checks a node's certificate against the CA (which must exist), its
 * current names and `now`.  0 with *st set, or -1 reported (no CA, a bad
 * machine name).
 */
int pki_node_check(const char *state_dir, const struct node *n, time_t now,
		   struct pki_status *st) WARN_UNUSED;
/* The same for the client certificate (no names to compare). */
int pki_client_check(const char *state_dir, time_t now,
		     struct pki_status *st) WARN_UNUSED;

/*
 * Issues (or reissues) a node's key and certificate, valid `days`; the
 * new notAfter in *expires.  0, or -1 reported.
 */
int pki_node_cert(const char *state_dir, const struct node *n, long days,
		  time_t *expires) WARN_UNUSED;
/* The client certificate (clientAuth, CN=icm). */
int pki_client_cert(const char *state_dir, long days,
		    time_t *expires) WARN_UNUSED;

/*
 * The notAfter of a node's certificate without checking anything else
 * (inventory): 1 with *expires, 0 when there is none, -1 when it cannot
 * be read (not reported).
 */
int pki_node_expiry(const char *state_dir, const struct node *n,
		    time_t *expires);

/* "<stateDir>/pki/nodes/<machine>" (allocated), or NULL reported (*why,
 * why not NULL, gets the message: error_why()) when the machine name
 * cannot be a directory name. */
char *pki_node_dir(const char *state_dir, const struct node *n, char **why);

#endif
