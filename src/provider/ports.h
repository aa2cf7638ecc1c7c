/*
 * ports.h: the ports a deployment's firewall opens (icm-reference §3.5,
 * §5.6), shared by the providers that make one (AWS security group, GCP
 * firewall rule): SSH, Docker, HTTP(S), DNS, Weave, and the IRIS ports of
 * the node's fields (SuperServerPort, WebServerPort, ISCAgentPort,
 * LicenseServerPort over TCP and UDP), each protocol and port once.
 */
#ifndef ICM_PROVIDER_PORTS_H
#define ICM_PROVIDER_PORTS_H

#include "../icm.h"
#include "../config/plan.h"

#define PROVIDER_PORTS_MAX 16

struct provider_port {
	const char *proto;		/* "tcp" or "udp" */
	const char *from, *to;		/* borrowed from the node or static;
					   to == from for one port */
};

/* The ports of node n into out[PROVIDER_PORTS_MAX]; how many. */
size_t provider_ports(const struct node *n, struct provider_port *out);

#endif
