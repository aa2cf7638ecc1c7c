/*
 * instances.c: an AWS definition's instances (see aws.h): one RunInstances
 * per definition and zone with its ClientToken, recorded as one batch
 * record; Name tags, placement groups, Elastic IPs, the wait until they
 * run.
 */
#include "aws.h"
#include "../defs.h"
#include "../../state/log.h"
#include "../../util/buf.h"
#include "../../util/str.h"

/* The node's instance ID (journal), or NULL. */
const char *aws_node_instance(struct aws *a, const struct node *n)
{
	char *key = xasprintf("node/%s", n->name);
	const char *id = journal_id(a->j, key);

	free(key);
	return id;
}

static size_t zone_index(struct aws *a, const char *zone)
{
	size_t i;

	for (i = 0; zone && i < a->nzones; i++)
		if (!strcmp(a->zones[i], zone))
			return i;
	return 0;
}

/* The root device of the AMI (its block device mappings use it), asked
 * for once, when the first launch or root volume growth needs it. */
const char *aws_root_device(struct aws *a)
{
	const char *ami = fld(a->any, "AMI");
	struct aws_params p;
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	const char *v;

	if (a->rootdev)
		return a->rootdev;
	aws_params_init(&p);
	aws_params_add(&p, "ImageId.1", ami);
	if (aws_call(a, "DescribeImages", &p, &root, &err)) {
		error("AMI '%s': %s", ami, err.msg);
		goto out;
	}
	v = xml_text(xml_path(root, "imagesSet/item/rootDeviceName"));
	if (!v) {
		error("AMI '%s' is not available in region %s", ami,
		      a->ec2.region);
		goto out;
	}
	a->rootdev = xstrdup(v);
out:
	aws_params_release(&p);
	xml_free(root);
	cloud_err_release(&err);
	return a->rootdev;
}

/* BlockDeviceMapping.N for the root disk and the IRIS volumes. */
static void volumes(const struct node *n, const char *rootdev,
		    struct aws_params *p)
{
	static const char *const vol[] = { "Data", "WIJ", "Journal1",
					   "Journal2", "Docker" };
	size_t i, k = 1;

	aws_params_addf(p, rootdev, "BlockDeviceMapping.%zu.DeviceName", k);
	aws_params_addf(p, fld(n, "OSVolumeSize") ? fld(n, "OSVolumeSize") :
			"32", "BlockDeviceMapping.%zu.Ebs.VolumeSize", k);
	aws_params_addf(p, fld(n, "OSVolumeType") ? fld(n, "OSVolumeType") :
			"standard", "BlockDeviceMapping.%zu.Ebs.VolumeType", k);
	if (fld(n, "OSVolumeIOPS") && strcmp(fld(n, "OSVolumeIOPS"), "0"))
		aws_params_addf(p, fld(n, "OSVolumeIOPS"),
				"BlockDeviceMapping.%zu.Ebs.Iops", k);
	aws_params_addf(p, "true", "BlockDeviceMapping.%zu.Ebs."
			"DeleteOnTermination", k);
	for (i = 0; i < ARRAY_SIZE(vol); i++) {
		char f[64];
		const char *dev, *size, *type, *iops;

		snprintf(f, sizeof(f), "%sDeviceName", vol[i]);
		dev = fld(n, f);
		snprintf(f, sizeof(f), "%sVolumeSize", vol[i]);
		size = fld(n, f);
		if (!volume_is_device(dev) || !size ||
		    (i < 4 && !role_is_iris(n->role)))
			continue;
		snprintf(f, sizeof(f), "%sVolumeType", vol[i]);
		type = fld(n, f);
		snprintf(f, sizeof(f), "%sVolumeIOPS", vol[i]);
		iops = fld(n, f);
		k++;
		{
			char *d = volume_device_path(dev);

			aws_params_addf(p, d, "BlockDeviceMapping.%zu."
					"DeviceName", k);
			free(d);
		}
		aws_params_addf(p, size, "BlockDeviceMapping.%zu.Ebs."
				"VolumeSize", k);
		aws_params_addf(p, type ? type : "standard",
				"BlockDeviceMapping.%zu.Ebs.VolumeType", k);
		if (iops && strcmp(iops, "0"))
			aws_params_addf(p, iops, "BlockDeviceMapping.%zu.Ebs."
					"Iops", k);
		aws_params_addf(p, "true", "BlockDeviceMapping.%zu.Ebs."
				"DeleteOnTermination", k);
	}
}

/* Instances of the batch tagged key (not terminated), by launch index. */
static int batch_instances(struct aws *a, const char *keytag,
			   struct xml_node **root, struct cloud_err *err)
{
	static const char *const live[] = { "pending", "running",
					    "stopping", "stopped" };
	struct aws_params p;
	int ret;

	aws_params_init(&p);
	aws_params_filter(&p, "tag:icm:key", &keytag, 1);
	aws_params_filter(&p, "instance-state-name", live, ARRAY_SIZE(live));
	ret = aws_call(a, "DescribeInstances", &p, root, err);
	aws_params_release(&p);
	return ret;
}

/* ids[0..k) from the instances of set, by launch index; how many were
 * there. */
static size_t ids_by_index(const struct xml_node *set, size_t k, char **ids)
{
	const struct xml_node *it;
	size_t seen = 0;

	for (it = set ? set->children : NULL; it; it = it->next) {
		const char *id = xml_text(xml_child(it, "instanceId"));
		const char *ix = xml_text(xml_child(it, "amiLaunchIndex"));
		long li = 0;

		if (!id || (ix && str_to_long(ix, &li)) || li < 0 ||
		    (size_t)li >= k || ids[li])
			continue;
		ids[li] = xstrdup(id);
		seen++;
	}
	return seen;
}

/* The instancesSet of the reservation with k instances in a
 * DescribeInstances answer, or NULL. */
static const struct xml_node *reservation_of(const struct xml_node *root,
					     size_t k)
{
	const struct xml_node *r;

	for (r = xml_child(xml_child(root, "reservationSet"), "item"); r;
	     r = r->next)
		if (xml_count(xml_child(r, "instancesSet"), "item") == k)
			return xml_child(r, "instancesSet");
	return NULL;
}

static void expand_one(void *arg, const char *key, enum journal_state st,
		       const char *id)
{
	struct each *e = arg;
	char *map, *w, *save = NULL;

	if (e->rc || st != JOURNAL_DONE || strncmp(key, "batch/", 6) || !id)
		return;
	map = xstrdup(id);
	for (w = strtok_r(map, ",", &save); w && !e->rc;
	     w = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(w, '='), *nk;

		if (!eq)
			continue;
		*eq = '\0';
		nk = xasprintf("node/%s", w);
		if (journal_state(e->a->j, nk) == JOURNAL_NONE)
			e->rc = journal_done(e->a->j, nk, eq + 1);
		free(nk);
	}
	free(map);
}

/* Gives every machine of a recorded batch its node/<machine> record. */
int aws_expand_batches(struct aws *a)
{
	struct each e = { a, 0 };

	journal_each(a->j, expand_one, &e);
	return e.rc;
}

/*
 * The placement group of node n's definition, or NULL: the first name of
 * PlacementGroups (else <Label>-<Role>-<Tag>), made with PlacementStrategy
 * (and PlacementPartitionCount / PlacementSpreadLevel) when a strategy is
 * given, else an existing group used by name.  *name allocated.
 */
static int placement(struct aws *a, const struct node *n, char **name)
{
	const char *groups = fld(n, "PlacementGroups");
	const char *strategy = fld(n, "PlacementStrategy");
	struct aws_params p;
	char *key;
	int ret;

	*name = NULL;
	if (!groups && !strategy)
		return 0;
	*name = groups ? xstrndup(groups, strcspn(groups, ",")) :
		provider_def_name(n);
	if (!strategy)
		return 0;
	aws_params_init(&p);
	aws_params_add(&p, "GroupName", *name);
	aws_params_add(&p, "Strategy", strategy);
	if (!strcmp(strategy, "partition") && fld(n, "PlacementPartitionCount"))
		aws_params_add(&p, "PartitionCount",
			       fld(n, "PlacementPartitionCount"));
	if (!strcmp(strategy, "spread") && fld(n, "PlacementSpreadLevel"))
		aws_params_add(&p, "SpreadLevel", fld(n, "PlacementSpreadLevel"));
	key = xasprintf("pg/%s", *name);
	{
		char *id = NULL;

		ret = aws_ensure(a, &aws_kind_pg, key, NULL, &p, &id);
		free(id);
	}
	free(key);
	aws_params_release(&p);
	if (ret) {
		free(*name);
		*name = NULL;
	}
	return ret;
}

/* What a launch's batch create needs besides the nodes. */
struct launch {
	struct aws *a;
	const char *pg;			/* placement group, or NULL */
};

/*
 * engine_ensure_nodes()'s create: one RunInstances for nodes[0..k) (one
 * definition, one zone) with the token as ClientToken.  Resumed: the
 * batch's instances found by its icm:key tag first (by launch index).
 */
static int launch_batch(void *prov, void *arg, const char *key,
			struct node *const *nodes, size_t k,
			const char *token, bool resumed, char **ids,
			struct cloud_err *err)
{
	struct launch *l = arg;
	struct aws *a = l->a;
	const struct node *n = nodes[0];
	char *keytag = xasprintf("%s/%s", a->dep, key);
	char *count = xasprintf("%zu", k);
	struct aws_tag t[4] = {
		{ "icm:deployment", a->dep }, { "icm:key", keytag },
		{ "icm:role", n->role }, { "Owner", a->dep },
	};
	struct aws_params p;
	struct xml_node *root = NULL;
	const struct xml_node *set;
	size_t seen;
	int ret = -1;

	aws_params_init(&p);
	if (resumed) {
		if (batch_instances(a, keytag, &root, err))
			goto out;
		set = reservation_of(root, k);
		if (set && ids_by_index(set, k, ids) == k) {
			ret = 0;
			goto out;
		}
		xml_free(root);
		root = NULL;
	}
	say("Launching %zu instance%s of %s in %s...", k, k == 1 ? "" : "s",
	    n->role, n->zone ? n->zone : a->ec2.region);
	aws_params_add(&p, "ImageId", fld(n, "AMI"));
	aws_params_add(&p, "InstanceType", fld(n, "InstanceType"));
	aws_params_add(&p, "MinCount", count);
	aws_params_add(&p, "MaxCount", count);
	aws_params_add(&p, "KeyName", a->keyname);
	aws_params_add(&p, "SubnetId", a->subnets[zone_index(a, n->zone)]);
	aws_params_add(&p, "SecurityGroupId.1", a->sg);
	aws_params_add(&p, "ClientToken", token);
	if (l->pg)
		aws_params_add(&p, "Placement.GroupName", l->pg);
	volumes(n, a->rootdev, &p);
	aws_params_tag_spec(&p, "instance", t, ARRAY_SIZE(t));
	aws_params_tag_spec(&p, "volume", t, ARRAY_SIZE(t));
	if (aws_call(a, "RunInstances", &p, &root, err))
		goto out;
	seen = ids_by_index(xml_child(root, "instancesSet"), k, ids);
	if (seen != k) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "the launch answered %zu "
			      "instance%s for %zu node%s", seen,
			      seen == 1 ? "" : "s", k, k == 1 ? "" : "s");
		goto out;
	}
	ret = 0;
out:
	aws_params_release(&p);
	xml_free(root);
	free(count);
	free(keytag);
	return ret;
}

/* Launches nodes[0..k) (one definition, one zone) in one call, through
 * the engine (batch/<def>/<zone>/<first machine>). */
static int launch(struct aws *a, struct node **nodes, size_t k)
{
	const struct node *n = nodes[0];
	char *key = xasprintf("batch/%d/%s/%s", n->def_index,
			      n->zone ? n->zone : "-", n->name);
	char *pg = NULL;
	struct launch l = { a, NULL };
	int ret = -1;

	if (journal_state(a->j, key) != JOURNAL_DONE &&
	    (placement(a, n, &pg) || !aws_root_device(a)))
		goto out;
	l.pg = pg;
	ret = engine_ensure_nodes(a->e, &aws_res_instance, key,
				  "RunInstances", nodes, k, launch_batch, &l);
out:
	free(pg);
	free(key);
	return ret;
}

static int name_tag(struct aws *a, const struct node *n)
{
	char *key = xasprintf("name/%s", n->name);
	const char *id = aws_node_instance(a, n);
	struct aws_tag t = { "Name", n->name };
	struct aws_params p;
	int ret;

	aws_params_init(&p);
	aws_params_add(&p, "ResourceId.1", id);
	aws_params_tags(&p, &t, 1);
	ret = aws_step(a, key, "CreateTags", &p, false, NULL, NULL);
	aws_params_release(&p);
	free(key);
	return ret;
}

static int elastic_ip(struct aws *a, const struct node *n)
{
	char *key = xasprintf("eip/%s", n->name), *alloc = NULL;
	char *akey = xasprintf("eip-assoc/%s", n->name);
	struct aws_params p;
	int ret;

	aws_params_init(&p);
	aws_params_add(&p, "Domain", "vpc");
	ret = aws_ensure(a, &aws_kind_eip, key, n->name, &p, &alloc);
	if (!ret) {
		aws_params_release(&p);
		aws_params_add(&p, "AllocationId", alloc);
		aws_params_add(&p, "InstanceId", aws_node_instance(a, n));
		ret = aws_step(a, akey, "AssociateAddress", &p, false, NULL,
			       NULL);
	}
	aws_params_release(&p);
	free(alloc);
	free(akey);
	free(key);
	return ret;
}

/* The nodes[i] of instance item it (id ids[i]): its addresses. */
static void fill_node(struct node *n, const struct xml_node *it)
{
	provider_set_field(n, "InstanceId", xml_text(xml_child(it, "instanceId")));
	provider_set_field(n, "IPAddress", xml_text(xml_child(it, "ipAddress")));
	provider_set_field(n, "PrivateIPAddress",
		      xml_text(xml_child(it, "privateIpAddress")));
	provider_set_field(n, "DNSName", xml_text(xml_child(it, "dnsName")));
	if (!node_get(n, "IPAddress") || fld_true(n, "PrivateSubnet"))
		provider_set_field(n, "IPAddress", node_get(n, "PrivateIPAddress"));
}

/* How many of ids[0..k) root's instances show in state want (running:
 * their nodes' addresses filled). */
static size_t count_state(const struct xml_node *root,
			  const char *const *ids, size_t k, const char *want,
			  struct node **nodes)
{
	const struct xml_node *r, *it;
	size_t ready = 0, i;

	for (r = xml_child(xml_child(root, "reservationSet"), "item"); r;
	     r = r->next)
		for (it = xml_child(xml_child(r, "instancesSet"), "item"); it;
		     it = it->next) {
			const char *id = xml_text(xml_child(it, "instanceId"));
			const char *st = xml_text(xml_path(it,
						"instanceState/name"));

			if (!id || !st || strcmp(st, want))
				continue;
			for (i = 0; i < k && (!ids[i] || strcmp(ids[i], id));
			     i++)
				;
			if (i == k)
				continue;
			ready++;
			if (nodes)
				fill_node(nodes[i], it);
		}
	return ready;
}

/*
 * Waits until every instance in ids is in state `want` (running:
 * fills the nodes' addresses).  nodes may be NULL (terminating).  For
 * running, the reconcile's listing (a->instances) is read first: when it
 * shows every one running, no call is made.  *err set on failure.
 */
int aws_wait_state(struct aws *a, const char *const *ids, size_t k,
		   const char *want, struct node **nodes,
		   struct cloud_err *err)
{
	int64_t waited = 0;
	bool listed = !strcmp(want, "running") && a->instances;

	while (k) {
		struct aws_params p;
		struct xml_node *root = NULL;
		size_t ready;
		int rc;

		if (listed) {
			root = a->instances;
			a->instances = NULL;
		} else {
			aws_params_init(&p);
			aws_params_list(&p, "InstanceId", ids, k);
			rc = aws_call(a, "DescribeInstances", &p, &root, err);
			aws_params_release(&p);
			if (rc) {
				char *why = xstrdup(err->msg ? err->msg : "");

				cloud_err_set(err, err->cls,
					      "DescribeInstances failed: %s",
					      why);
				free(why);
				return -1;
			}
		}
		ready = count_state(root, ids, k, want, nodes);
		xml_free(root);
		if (ready >= k)
			return 0;
		if (listed) {		/* some are new: ask now */
			listed = false;
			continue;
		}
		if (waited >= WAIT_MS) {
			cloud_err_set(err, CLOUD_ERR_OTHER, "%zu of %zu "
				      "instance%s did not reach '%s' within "
				      "%d minutes", k - ready, k,
				      k == 1 ? "" : "s", want,
				      WAIT_MS / 60000);
			return -1;
		}
		usleep(POLL_MS * 1000);
		waited += POLL_MS;
	}
	return 0;
}

/* ------------------------------------------------------------ create */

/* Definition def's apply: a launch per zone of its nodes not made yet,
 * then their Name tags and Elastic IPs. */
int aws_apply_definition(struct aws *a, struct plan *p, int def)
{
	struct node **batch = xcalloc(p->n ? p->n : 1, sizeof(*batch));
	size_t i, j, k;
	int ret = -1;

	for (i = 0; i < p->n; i++) {
		struct node *n = &p->nodes[i];

		if (n->def_index != def || !strcmp(n->role, "LB") ||
		    aws_node_instance(a, n))
			continue;
		k = 0;
		for (j = i; j < p->n; j++) {
			struct node *m = &p->nodes[j];

			if (m->def_index == def &&
			    !strcmp(m->role, n->role) &&
			    !strcmp(m->zone ? m->zone : "",
				    n->zone ? n->zone : "") &&
			    !aws_node_instance(a, m))
				batch[k++] = m;
		}
		if (launch(a, batch, k))
			goto out;
	}
	for (i = 0; i < p->n; i++) {
		struct node *n = &p->nodes[i];

		if (n->def_index != def || !strcmp(n->role, "LB"))
			continue;
		if (name_tag(a, n) ||
		    (fld_true(n, "ElasticIP") && elastic_ip(a, n)))
			goto out;
	}
	ret = 0;
out:
	free(batch);
	return ret;
}
