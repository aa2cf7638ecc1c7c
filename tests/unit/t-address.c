/*
 * t-address.c: node/address, the one way icm picks where a node is reached:
 * IPAddress, else DNSName (empty values are not set), and the numeric
 * address Docker's TLS name is pinned to (a DNS name resolved once).
 */
#include "icm.h"
#include "node/address.h"
#include "util/str.h"
#include "tap.h"

/* A node with the fields given as name, value pairs (NULL ends them). */
static void node_with(struct node *n, const char *f1, const char *v1,
		      const char *f2, const char *v2)
{
	memset(n, 0, sizeof(*n));
	n->name = "N-1";
	n->fields = cJSON_CreateObject();
	if (f1)
		cJSON_AddStringToObject(n->fields, f1, v1);
	if (f2)
		cJSON_AddStringToObject(n->fields, f2, v2);
}

int main(void)
{
	struct node n;
	char *ip = NULL, *why = NULL;
	int rc;

	node_with(&n, "IPAddress", "198.18.0.11", "DNSName", "a.test");
	is_str(node_address(&n), "198.18.0.11", "IPAddress first");
	ok(node_address_numeric(&n, &ip, &why) == 0 && ip &&
	   !strcmp(ip, "198.18.0.11"), "... and pinned as it is");
	free(ip);
	cJSON_Delete(n.fields);

	node_with(&n, "IPAddress", "", "DNSName", "127.0.0.9");
	is_str(node_address(&n), "127.0.0.9", "an empty IPAddress: DNSName");
	rc = node_address_numeric(&n, &ip, &why);
	ok(rc == 0 && ip && !strcmp(ip, "127.0.0.9"), "a DNS-only node is "
	   "pinned to what its name resolves to (%s)", ip ? ip : "none");
	free(ip);
	cJSON_Delete(n.fields);

	node_with(&n, "DNSName", "localhost", NULL, NULL);
	rc = node_address_numeric(&n, &ip, &why);
	ok(rc == 0 && ip && (!strcmp(ip, "127.0.0.1") || !strcmp(ip, "::1")),
	   "localhost resolves to a loopback address (%s)", ip ? ip : "none");
	free(ip);
	cJSON_Delete(n.fields);

	node_with(&n, "DNSName", "no-such-host.invalid", NULL, NULL);
	rc = node_address_numeric(&n, &ip, &why);
	ok(rc == -1 && !ip && why && str_starts(why, "cannot resolve DNSName "
					     "'no-such-host.invalid': "),
	   "a name that does not resolve is named (%s)", why ? why : "none");
	free(why);
	why = NULL;
	cJSON_Delete(n.fields);

	node_with(&n, "SSHUser", "u", NULL, NULL);
	ok(node_address(&n) == NULL, "neither: no address");
	rc = node_address_numeric(&n, &ip, &why);
	ok(rc == -1 && why && !strcmp(why, "no IPAddress or DNSName"),
	   "... said so (%s)", why ? why : "none");
	ok(node_address_numeric(&n, &ip, NULL) == -1,
	   "why may be NULL");
	free(why);
	cJSON_Delete(n.fields);
	return done_testing();
}
