/*
 * names.h: the names the Docker Engine API takes, as rules with no
 * dependency on the API client, so the configuration layer (config/check.c,
 * rule "container") checks them where a name enters.
 */
#ifndef ICM_DOCKER_NAMES_H
#define ICM_DOCKER_NAMES_H

#include "../icm.h"

/*
 * A container name as Docker takes one ([a-zA-Z0-9][a-zA-Z0-9_.-]+, at
 * most DOCKER_NAME_MAX bytes): checked where a name enters (-container)
 * so that a bad one is refused before anything is done.
 */
#define DOCKER_NAME_MAX 128
#define DOCKER_NAME_RULE "a letter or digit, then letters, digits, '_', " \
	"'.' and '-'; 2 to 128 characters"
bool docker_name_valid(const char *name);

#endif
