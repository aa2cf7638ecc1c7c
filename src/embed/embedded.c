/* embedded.c: lookups in the generated table (see embedded.h). */
#include "embedded.h"
#include "../util/str.h"

const struct embedded_file *embedded_find(const char *path)
{
	size_t i;

	for (i = 0; i < embedded_files_count; i++)
		if (!strcmp(embedded_files[i].path, path))
			return &embedded_files[i];
	return NULL;
}

const struct embedded_file *embedded_next(const char *prefix, size_t *it)
{
	for (; *it < embedded_files_count; (*it)++)
		if (str_starts(embedded_files[*it].path, prefix))
			return &embedded_files[(*it)++];
	return NULL;
}

size_t embedded_count(const char *prefix)
{
	const struct embedded_file *f;
	size_t it = 0, n = 0;

	while ((f = embedded_next(prefix, &it)))
		n++;
	return n;
}
