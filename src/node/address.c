/* address.c: the address a node is reached at (address.h). */
#include "address.h"
#include "../util/str.h"
#include <netdb.h>
#include <sys/socket.h>

const char *node_address(const struct node *n)
{
	const char *v = node_field(n, "IPAddress");

	return v ? v : node_field(n, "DNSName");
}

static void set_why(char **why, char *msg)
{
	if (!why) {
		free(msg);
		return;
	}
	free(*why);
	*why = msg;
}

int node_address_numeric(const struct node *n, char **ip, char **why)
{
	const char *v = node_field(n, "IPAddress");
	const char *dns = node_field(n, "DNSName");
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char host[NI_MAXHOST];
	int e;

	*ip = NULL;
	if (v) {
		*ip = xstrdup(v);
		return 0;
	}
	if (!dns) {
		set_why(why, xstrdup("no IPAddress or DNSName"));
		return -1;
	}
	e = getaddrinfo(dns, NULL, &hints, &ai);
	if (e || !ai || getnameinfo(ai->ai_addr, ai->ai_addrlen, host,
				    sizeof(host), NULL, 0, NI_NUMERICHOST)) {
		if (ai)
			freeaddrinfo(ai);
		set_why(why, xasprintf("cannot resolve DNSName '%s': %s", dns,
				       e ? gai_strerror(e) : "no address"));
		return -1;
	}
	freeaddrinfo(ai);
	*ip = xstrdup(host);
	return 0;
}
