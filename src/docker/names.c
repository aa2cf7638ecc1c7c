/* names.c: Docker's name rules (see names.h). */
#include "names.h"
#include <ctype.h>
#include <string.h>

bool docker_name_valid(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz"
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

	return isalnum((unsigned char)name[0]) && n >= 2 && !name[n] &&
		n <= DOCKER_NAME_MAX;
}
