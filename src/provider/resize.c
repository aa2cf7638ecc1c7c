/* resize.c: volume sizes changed between provisions (see resize.h). */
#include "resize.h"
#include "../config/instances.h"
#include "../state/log.h"
#include "../util/str.h"

#define IRIS_VOLUMES_FIRST 1
#define IRIS_VOLUMES_LAST 4

static const struct {
	const char *volume, *size, *device;
} vols[] = {
	{ "OS", "OSVolumeSize", NULL },
	{ "Data", "DataVolumeSize", "DataDeviceName" },
	{ "WIJ", "WIJVolumeSize", "WIJDeviceName" },
	{ "Journal1", "Journal1VolumeSize", "Journal1DeviceName" },
	{ "Journal2", "Journal2VolumeSize", "Journal2DeviceName" },
	{ "Docker", "DockerVolumeSize", "DockerDeviceName" },
};

char *volume_device_path(const char *name)
{
	return name[0] == '/' ? xstrdup(name) : xasprintf("/dev/%s", name);
}

bool volume_is_device(const char *name)
{
	static const char *const not_devices[] = {
		"existing", "create", "local", "null", "skip",
	};
	size_t i;

	if (!name || !*name)
		return false;
	for (i = 0; i < ARRAY_SIZE(not_devices); i++)
		if (!strcmp(name, not_devices[i]))
			return false;
	return true;
}

static bool preexisting(const struct node *n)
{
	const char *v = node_field(n, "Provider");

	return v && !strcmp(v, "PreExisting");
}

/* Whether node n has volume i (see resize.h). */
static bool has_volume(const struct node *n, size_t i)
{
	bool iris = i >= IRIS_VOLUMES_FIRST && i <= IRIS_VOLUMES_LAST;

	if (!strcmp(n->role, "LB"))
		return false;
	if (preexisting(n))
		return iris && role_is_iris(n->role);
	if (i == 0)
		return true;
	if (iris && !role_is_iris(n->role))
		return false;
	return volume_is_device(node_field(n, vols[i].device)) &&
		node_field(n, vols[i].size);
}

/* The size of volume i of n in *gb; -1 reported (what: where n is). */
static int size_of(const struct node *n, size_t i, const char *what,
		   long *gb)
{
	const char *v = node_field(n, vols[i].size);

	if (!v || str_to_long(v, gb) || *gb <= 0)
		return error("%s: %s: field '%s': expected a positive whole "
			     "number, got '%s'", what, n->name, vols[i].size,
			     v ? v : "");
	return 0;
}

/* Compares volume i of the provisioned node `was` and the planned n;
 * a growth is added to out.  -1 reported. */
static int compare(const char *path, const struct node *was, struct node *n,
		   size_t i, struct volume_growths *out)
{
	bool had = has_volume(was, i), has = has_volume(n, i);
	long from, to;

	if (!had && !has)
		return 0;
	if (had != has)
		return error("%s: %s: the %s volume would be %s; icm cannot do "
			     "that in place (nothing changed)", n->name,
			     has ? vols[i].size : vols[i].device, vols[i].volume,
			     has ? "added" : "removed");
	if (vols[i].device && !preexisting(n)) {
		char *a = volume_device_path(node_field(was, vols[i].device));
		char *b = volume_device_path(node_field(n, vols[i].device));
		int moved = strcmp(a, b);

		if (moved)
			error("%s: %s '%s' -> '%s': a volume cannot move to "
			      "another device in place (nothing changed)",
			      n->name, vols[i].device, a, b);
		free(a);
		free(b);
		if (moved)
			return -1;
	}
	if (size_of(was, i, path, &from) || size_of(n, i, "the plan", &to))
		return -1;
	if (to < from)
		return error("%s: %s %ld -> %ld: a volume cannot shrink (it "
			     "was provisioned with %ld GB; nothing changed)",
			     n->name, vols[i].size, from, to, from);
	if (to == from)
		return 0;
	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	out->v[out->n++] = (struct volume_growth){
		n, vols[i].volume, vols[i].size, from, to,
	};
	return 0;
}

int volume_growths_find(const struct provider_ctx *pc, struct plan *p,
			struct volume_growths *out)
{
	struct plan was;
	size_t i, j, k;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	plan_init(&was);
	if (!pc->instances_path ||
	    (access(pc->instances_path, F_OK) && errno == ENOENT))
		return 0;
	if (instances_load(pc->instances_path, &was)) {
		ret = -1;
		goto out;
	}
	for (i = 0; i < p->n; i++)
		for (j = 0; j < was.n; j++) {
			if (strcmp(was.nodes[j].name, p->nodes[i].name))
				continue;
			for (k = 0; k < ARRAY_SIZE(vols); k++)
				if (compare(pc->instances_path, &was.nodes[j],
					    &p->nodes[i], k, out))
					ret = -1;	/* each one named */
			break;
		}
out:
	plan_release(&was);
	if (ret)
		volume_growths_release(out);
	return ret;
}

int volume_growths_confirm(const struct volume_growths *g, bool force,
			   bool (*confirm)(const char *question))
{
	size_t i;

	if (!g->n)
		return 0;
	say("The definitions grow %zu volume%s:", g->n, g->n == 1 ? "" : "s");
	for (i = 0; i < g->n; i++)
		say("  %s: %s %ld -> %ld GB", g->v[i].node->name,
		    g->v[i].field, g->v[i].from, g->v[i].to);
	if (force)
		return 0;
	if (!confirm || !confirm("They will be grown in place (volume, "
				 "partition and file system)."))
		return error("volume growth not confirmed; nothing changed (or "
			     "use -force)");
	return 0;
}

int volume_growths_check(const struct provider_ctx *pc, struct plan *p,
			 struct volume_growths *out)
{
	if (volume_growths_find(pc, p, out))
		return -1;
	if (volume_growths_confirm(out, pc->force, pc->confirm)) {
		volume_growths_release(out);
		return -1;
	}
	return 0;
}

const struct volume_growth *volume_growth_of(const struct volume_growths *g,
					     const struct node *node,
					     const char *volume)
{
	size_t i;

	for (i = 0; g && i < g->n; i++)
		if (g->v[i].node == node && !strcmp(g->v[i].volume, volume))
			return &g->v[i];
	return NULL;
}

void volume_growths_release(struct volume_growths *g)
{
	free(g->v);
	memset(g, 0, sizeof(*g));
}

int volume_growths_refuse(const struct provider_ctx *pc, struct plan *p,
			  const char *provider, const char *what)
{
	struct volume_growths g = { NULL, 0 };
	size_t i;

	if (volume_growths_find(pc, p, &g))
		return -1;
	for (i = 0; i < g.n; i++)
		error("%s: %s %ld -> %ld: growing a disk of an existing %s is "
		      "not supported on %s (set it back, or unprovision and "
		      "provision again); nothing changed", g.v[i].node->name,
		      g.v[i].field, g.v[i].from, g.v[i].to, what, provider);
	i = g.n;
	volume_growths_release(&g);
	return i ? -1 : 0;
}
