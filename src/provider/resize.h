/*
 * resize.h: reprovisioning with new volume sizes (the guide: "change
 * storage volume sizes for some of the nodes in the definitions file and
 * execute icm provision again to reprovision with the new sizes").
 *
 * The sizes a node has are the ones the previous provision recorded in
 * instances.json; the sizes wanted are the plan's.  Only growth can be
 * applied in place: a smaller size, a volume that would appear or vanish,
 * or one that would move to another device is refused, naming the node
 * and the field, before anything changes (no cloud call, no SSH).
 *
 * Which volumes a node has (icm-reference §3.6, §5):
 *   cloud providers: the OS volume of every host, the four IRIS volumes
 *     of IRIS roles whose <X>DeviceName is a device, the Docker volume
 *     when DockerDeviceName is a device and DockerVolumeSize is set;
 *   PreExisting: the four IRIS volumes of IRIS roles (mount points of
 *     the host's own devices: node preparation grows a file system whose
 *     device grew; the size is what makes that step run again).
 */
#ifndef ICM_PROVIDER_RESIZE_H
#define ICM_PROVIDER_RESIZE_H

#include "provider.h"

/* One volume to grow. */
struct volume_growth {
	struct node *node;		/* in the plan; not owned */
	const char *volume;		/* "OS", "Data", "WIJ", "Journal1",
					   "Journal2", "Docker" (static) */
	const char *field;		/* its size field (static) */
	long from, to;			/* GB */
};

/* Every growth of one provision.  Owns v (not the nodes). */
struct volume_growths {
	struct volume_growth *v;
	size_t n;
};

/* "/dev/xvdd" for "xvdd", a path as it is; allocated. */
char *volume_device_path(const char *name);

/* True when a <X>DeviceName names a block device (not existing, create,
 * local, null, skip or empty). */
bool volume_is_device(const char *name);

/*
 * Compares plan p with the nodes of pc->instances_path (missing: the
 * first provision, nothing to compare) and fills *out with the volumes to
 * grow, in plan order.  Every refused change is reported (node and field;
 * the file and field for a size in instances.json that is not a whole
 * number) and -1 returned with *out empty.
 */
int volume_growths_find(const struct provider_ctx *pc, struct plan *p,
			struct volume_growths *out) WARN_UNUSED;

/*
 * ICM's confirmation of the growths (none: 0 at once): lists them and,
 * unless force, asks confirm (provider_ctx's; NULL refuses).  -1
 * (reported, nothing changed) when not confirmed.
 */
int volume_growths_confirm(const struct volume_growths *g, bool force,
			   bool (*confirm)(const char *question)) WARN_UNUSED;

/* find then confirm; *out released on failure. */
int volume_growths_check(const struct provider_ctx *pc, struct plan *p,
			 struct volume_growths *out) WARN_UNUSED;

/*
 * For a provider that does not grow volumes: each larger size than the
 * previous provision recorded is refused, naming node, field and
 * provider ("growing a disk of an existing <what> is not supported on
 * <provider> ..."), before anything changes; smaller ones are refused by
 * volume_growths_find() as on every provider.  0 when there are none.
 */
int volume_growths_refuse(const struct provider_ctx *pc, struct plan *p,
			  const char *provider, const char *what)
	WARN_UNUSED;

/* The growth of node's volume `volume`, or NULL. */
const struct volume_growth *volume_growth_of(const struct volume_growths *g,
					     const struct node *node,
					     const char *volume);

void volume_growths_release(struct volume_growths *g);

#endif
