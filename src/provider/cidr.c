/* cidr.c: the subnets a provider makes, one per region (see cidr.h). */
#include "cidr.h"
#include "../state/log.h"
#include "../util/str.h"
#include <arpa/inet.h>

/*
 * The CIDR of location i's subnet: net_subnet_cidr's block moved i blocks
 * of its own size on, or 10.0.<i>.0/24.  NULL reported when
 * net_subnet_cidr is not an IPv4 CIDR of /8../29 or the block overflows.
 */
char *provider_subnet_cidr(const struct node *n, size_t i)
{
	const char *c = node_field(n, "net_subnet_cidr");
	char ip[INET_ADDRSTRLEN], *addr;
	struct in_addr a;
	long len;
	uint64_t base, size;

	if (!c)
		return xasprintf("10.0.%zu.0/24", i);
	addr = xstrndup(c, strcspn(c, "/"));
	if (inet_pton(AF_INET, addr, &a) != 1 || !strchr(c, '/') ||
	    str_to_long(strchr(c, '/') + 1, &len) || len < 8 || len > 29) {
		free(addr);
		error("net_subnet_cidr '%s' is not an IPv4 network of /8 to "
		      "/29 (e.g. 10.1.0.0/24)", c);
		return NULL;
	}
	free(addr);
	size = 1ull << (32 - len);
	base = ntohl(a.s_addr) & ~(uint32_t)(size - 1);
	base += size * i;
	if (base > 0xffffffffull) {
		error("net_subnet_cidr '%s' has no room for %zu regions (locations)", c,
		      i + 1);
		return NULL;
	}
	a.s_addr = htonl((uint32_t)base);
	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	return xasprintf("%s/%ld", ip, len);
}

