/* volumes.c: the disks a cloud provider makes beside the OS disk (see
 * volumes.h). */
#include "volumes.h"
#include "resize.h"

size_t volumes_wanted(const struct node *n,
		      struct volume_want out[VOLUMES_MAX])
{
	static const struct {
		const char *vol, *suffix;
		bool iris;
	} vols[VOLUMES_MAX] = {
		{ "Data", "data", true }, { "WIJ", "wij", true },
		{ "Journal1", "journal1", true },
		{ "Journal2", "journal2", true },
		{ "Docker", "docker", false },
	};
	size_t i, k = 0;

	for (i = 0; i < VOLUMES_MAX; i++) {
		char f[64];
		const char *dev, *size;

		snprintf(f, sizeof(f), "%sDeviceName", vols[i].vol);
		dev = node_field(n, f);
		snprintf(f, sizeof(f), "%sVolumeSize", vols[i].vol);
		size = node_field(n, f);
		if (!volume_is_device(dev) || !size ||
		    (vols[i].iris && !role_is_iris(n->role)))
			continue;
		snprintf(f, sizeof(f), "%sVolumeType", vols[i].vol);
		out[k].volume = vols[i].vol;
		out[k].suffix = vols[i].suffix;
		out[k].size = size;
		out[k].type = node_field(n, f);
		out[k].device = dev;
		k++;
	}
	return k;
}
