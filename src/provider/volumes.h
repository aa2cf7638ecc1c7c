/*
 * volumes.h: the disks a cloud provider makes beside a machine's OS disk
 * (icm-reference §3.6): the four IRIS volumes of IRIS roles and the Docker
 * volume, each when its <X>DeviceName names a device and <X>VolumeSize is
 * set, in this order: Data, WIJ, Journal1, Journal2, Docker.  Shared by the
 * providers that make disks with their machines (GCP, Azure).
 */
#ifndef ICM_PROVIDER_VOLUMES_H
#define ICM_PROVIDER_VOLUMES_H

#include "../icm.h"
#include "../config/plan.h"

#define VOLUMES_MAX 5

struct volume_want {
	const char *volume;		/* "Data", ... (static) */
	const char *suffix;		/* "data", "wij", "journal1", ...:
					   for disk names (static) */
	const char *size;		/* <X>VolumeSize (borrowed from n) */
	const char *type;		/* <X>VolumeType, or NULL */
	const char *device;		/* <X>DeviceName */
};

/* The extra disks of node n into out; how many. */
size_t volumes_wanted(const struct node *n,
		      struct volume_want out[VOLUMES_MAX]);

#endif
