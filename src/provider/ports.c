/* ports.c: the ports a deployment's firewall opens (see ports.h). */
#include "ports.h"

size_t provider_ports(const struct node *n, struct provider_port *out)
{
	static const struct {
		const char *proto, *field, *dflt, *to;
	} rules[] = {
		{ "tcp", NULL, "22", NULL }, { "tcp", NULL, "2376", NULL },
		{ "tcp", NULL, "80", NULL }, { "tcp", NULL, "443", NULL },
		{ "tcp", NULL, "53", NULL }, { "udp", NULL, "53", NULL },
		{ "tcp", NULL, "6783", NULL }, { "udp", NULL, "6783", "6784" },
		{ "tcp", "SuperServerPort", "1972", NULL },
		{ "tcp", "WebServerPort", "52773", NULL },
		{ "tcp", "ISCAgentPort", "2188", NULL },
		{ "tcp", "LicenseServerPort", "4002", NULL },
		{ "udp", "LicenseServerPort", "4002", NULL },
	};
	size_t i, j, k = 0;

	_Static_assert(ARRAY_SIZE(rules) <= PROVIDER_PORTS_MAX, "ports");
	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		const char *port = rules[i].field ?
			node_field(n, rules[i].field) : NULL;

		if (!port)
			port = rules[i].dflt;
		for (j = 0; j < k; j++)		/* a port field may repeat */
			if (!strcmp(out[j].proto, rules[i].proto) &&
			    !strcmp(out[j].from, port))
				break;
		if (j < k)
			continue;
		out[k].proto = rules[i].proto;
		out[k].from = port;
		out[k].to = rules[i].to ? rules[i].to : port;
		k++;
	}
	return k;
}
