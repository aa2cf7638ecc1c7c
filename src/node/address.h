/*
 * address.h: the one way icm picks the address it reaches a node at.
 *
 * A node is reached at its IPAddress, else at its DNSName (a PreExisting
 * node may be given by name only): SSH and the fan-out (fanout_target()),
 * Docker's TLS endpoint, node preparation and every message or URL that
 * names where a node is.  Empty values count as not set.
 *
 * Docker's TLS peer is addressed by machine name with that name pinned to
 * a numeric address (CURLOPT_RESOLVE, design decision 2): for a DNS-only
 * node the name is resolved once, here, and the connection goes to what
 * it resolved to.
 */
#ifndef ICM_NODE_ADDRESS_H
#define ICM_NODE_ADDRESS_H

#include "../icm.h"
#include "../config/plan.h"

/* IPAddress, else DNSName, else NULL.  Points into n's fields. */
const char *node_address(const struct node *n);

/*
 * The numeric address node_address() stands for: IPAddress as it is, else
 * DNSName resolved (getaddrinfo(), the first address) into *ip (a new
 * string, caller frees).  -1 when there is none or the name does not
 * resolve; nothing is printed, *why (why not NULL; replaced, caller
 * frees) says why
 * without naming the node ("no IPAddress or DNSName", "cannot resolve
 * DNSName 'x': ...").  Thread-safe.
 */
int node_address_numeric(const struct node *n, char **ip, char **why)
	WARN_UNUSED;

#endif
