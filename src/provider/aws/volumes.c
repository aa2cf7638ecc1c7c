/*
 * volumes.c: EBS volumes grown in place to the sizes provision confirmed
 * (resize.h; see aws.h).
 */
#include "aws.h"
#include "../../state/log.h"
#include "../../util/str.h"

/* One volume to grow: where it is and what it is now. */
struct grow {
	const struct volume_growth *g;
	const char *instance;		/* journal's; not owned */
	char *device;			/* where it is attached */
	char *volume;			/* its ID, from DescribeVolumes */
	long size;			/* its size now (GB) */
	char *key;			/* journal key of the modification */
};

/* Each growth's volume ID and size now (DescribeVolumes by instance,
 * matched by the device it is attached at).  -1 reported, naming the node
 * and field whose volume is not there. */
static int find_volumes(struct aws *a, struct grow *t, size_t n)
{
	const char **iids = xcalloc(n, sizeof(*iids));
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *it, *at;
	struct cloud_err err = CLOUD_ERR_INIT;
	size_t i, k, ni = 0;
	int ret = -1;

	for (i = 0; i < n; i++) {
		for (k = 0; k < ni && strcmp(iids[k], t[i].instance); k++)
			;
		if (k == ni)
			iids[ni++] = t[i].instance;
	}
	aws_params_init(&p);
	aws_params_filter(&p, "attachment.instance-id", iids, ni);
	if (aws_call(a, "DescribeVolumes", &p, &root, &err)) {
		error("DescribeVolumes failed: %s", err.msg);
		goto out;
	}
	for (it = xml_child(xml_child(root, "volumeSet"), "item"); it;
	     it = it->next)
		for (at = xml_child(xml_child(it, "attachmentSet"), "item"); at;
		     at = at->next) {
			const char *iid = xml_text(xml_child(at, "instanceId"));
			const char *dev = xml_text(xml_child(at, "device"));
			const char *vid = xml_text(xml_child(it, "volumeId"));
			const char *size = xml_text(xml_child(it, "size"));
			char *path;

			if (!iid || !dev || !vid || !size)
				continue;
			path = volume_device_path(dev);
			for (i = 0; i < n; i++)
				if (!t[i].volume &&
				    !strcmp(t[i].instance, iid) &&
				    !strcmp(t[i].device, path) &&
				    !str_to_long(size, &t[i].size))
					t[i].volume = xstrdup(vid);
			free(path);
		}
	for (i = 0; i < n; i++)
		if (!t[i].volume) {
			error("%s: %s: instance %s has no volume at %s; nothing "
			      "changed", t[i].g->node->name, t[i].g->field,
			      t[i].instance, t[i].device);
			goto out;
		}
	ret = 0;
out:
	aws_params_release(&p);
	xml_free(root);
	cloud_err_release(&err);
	free(iids);
	return ret;
}

/* Waits until each modified volume's modification is optimizing or
 * completed (the new size is usable then).  -1 reported: a failed
 * modification names the node and field. */
static int wait_modified(struct aws *a, struct grow *t, size_t n)
{
	const char **ids = xcalloc(n, sizeof(*ids));
	int64_t waited = 0;
	size_t i;
	int ret = -1;

	for (i = 0; i < n; i++)
		ids[i] = t[i].volume;
	for (;;) {
		struct aws_params p;
		struct xml_node *root = NULL;
		const struct xml_node *it;
		struct cloud_err err = CLOUD_ERR_INIT;
		size_t ready = 0;

		aws_params_init(&p);
		aws_params_list(&p, "VolumeId", ids, n);
		if (aws_call(a, "DescribeVolumesModifications", &p, &root,
			 &err)) {
			aws_params_release(&p);
			error("DescribeVolumesModifications failed: %s",
			      err.msg);
			cloud_err_release(&err);
			goto out;
		}
		aws_params_release(&p);
		for (i = 0; i < n; i++) {
			const char *st = NULL, *msg = NULL;
			long target;

			for (it = xml_child(xml_child(root,
						"volumeModificationSet"),
					    "item"); it; it = it->next)
				if (xml_text(xml_child(it, "volumeId")) &&
				    !strcmp(xml_text(xml_child(it, "volumeId")),
					    t[i].volume) &&
				    xml_text(xml_child(it, "targetSize")) &&
				    !str_to_long(xml_text(xml_child(it,
							"targetSize")),
						 &target) &&
				    target == t[i].g->to) {
					st = xml_text(xml_child(it,
							"modificationState"));
					msg = xml_text(xml_child(it,
							"statusMessage"));
				}
			if (st && !strcmp(st, "failed")) {
				error("%s: %s: growing volume %s to %ld GB "
				      "failed: %s", t[i].g->node->name,
				      t[i].g->field, t[i].volume, t[i].g->to,
				      msg ? msg : "no reason given");
				xml_free(root);
				goto out;
			}
			if (st ? !strcmp(st, "optimizing") ||
			    !strcmp(st, "completed") : t[i].size >= t[i].g->to)
				ready++;
		}
		xml_free(root);
		if (ready == n)
			break;
		if (waited >= WAIT_MS) {
			error("%zu of %zu volume modification%s did not reach "
			      "'optimizing' within %d minutes", n - ready, n,
			      n == 1 ? "" : "s", WAIT_MS / 60000);
			goto out;
		}
		usleep(POLL_MS * 1000);
		waited += POLL_MS;
	}
	ret = 0;
out:
	free(ids);
	return ret;
}

/*
 * The growths provision confirmed (resize.h): each EBS volume found
 * first (none missing, or nothing is changed), then ModifyVolume to the
 * new size, journalled as volume-size/<machine>/<volume>/<ID>/<GB> (a
 * volume that has the size already, after a kill, is recorded without a
 * call; the ID: a machine terminated and made again has new volumes),
 * then the wait for the modifications.  Node preparation grows the
 * partitions and file systems afterwards.
 */
int aws_grow_volumes(struct aws *a, const struct volume_growths *g)
{
	struct grow *t = xcalloc(g->n ? g->n : 1, sizeof(*t));
	size_t i;
	int ret = -1;

	for (i = 0; i < g->n; i++) {
		const struct volume_growth *v = &g->v[i];
		char f[64];

		t[i].g = v;
		t[i].instance = aws_node_instance(a, v->node);
		snprintf(f, sizeof(f), "%sDeviceName", v->volume);
		if (strcmp(v->volume, "OS"))
			t[i].device = volume_device_path(fld(v->node, f));
		else if (aws_root_device(a))
			t[i].device = xstrdup(a->rootdev);
		else
			goto out;
		if (!t[i].instance) {
			error("%s: %s: the node has no instance; nothing "
			      "changed", v->node->name, v->field);
			goto out;
		}
	}
	if (g->n && find_volumes(a, t, g->n))
		goto out;
	for (i = 0; i < g->n; i++) {
		const struct volume_growth *v = t[i].g;
		struct aws_params p;
		char size[24];
		int rc;

		t[i].key = xasprintf("volume-size/%s/%s/%s/%ld",
				     v->node->name, v->volume, t[i].volume,
				     v->to);
		if (journal_state(a->j, t[i].key) == JOURNAL_DONE)
			continue;
		if (t[i].size >= v->to) {
			if (t[i].size > v->to)
				warning("%s: %s: volume %s has %ld GB already",
					v->node->name, v->field, t[i].volume,
					t[i].size);
			if (journal_done(a->j, t[i].key, t[i].volume))
				goto out;
			continue;
		}
		say("Growing the %s volume of %s from %ld to %ld GB...",
		    v->volume, v->node->name, t[i].size, v->to);
		snprintf(size, sizeof(size), "%ld", v->to);
		aws_params_init(&p);
		aws_params_add(&p, "VolumeId", t[i].volume);
		aws_params_add(&p, "Size", size);
		rc = aws_step(a, t[i].key, "ModifyVolume", &p, false, NULL,
			      NULL);
		aws_params_release(&p);
		if (rc)
			goto out;
	}
	ret = g->n ? wait_modified(a, t, g->n) : 0;
out:
	for (i = 0; i < g->n; i++) {
		free(t[i].device);
		free(t[i].volume);
		free(t[i].key);
	}
	free(t);
	return ret;
}
