/* provider.c: the providers in this build (see provider.h). */
#include "provider.h"

static const struct provider *const providers[] = {
	&provider_preexisting,
};

const struct provider *provider_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(providers); i++)
		if (!strcmp(providers[i]->name, name))
			return providers[i];
	return NULL;
}
