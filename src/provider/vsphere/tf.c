/*
 * tf.c: writes the vSphere Terraform templates
 * (embedded/terraform/vsphere/) and their terraform.tfvars into the state
 * directory (see tf.h), with ../tfvars.c's helpers.
 */
#include "../../icm.h"
#include "tf.h"
#include "../tfvars.h"
#include "../../state/log.h"
#include "../../state/statedir.h"
#include "../../util/buf.h"
#include "../../util/str.h"

static const struct tf_templates folder_tf = {
	"embedded/terraform/vsphere/provider.tf",
	"embedded/terraform/vsphere/Folder/infrastructure.tf",
};
static const struct tf_templates vm_tf = {
	"embedded/terraform/vsphere/provider.tf",
	"embedded/terraform/vsphere/VM/infrastructure.tf",
};

/* Names this module sets itself in a definition's tfvars. */
static const char *const def_own[] = {
	"MachineName", "DefinitionIndex", "InstanceCount", "MachineNames",
	"OutputFile",
};

/* Fields of the deployment's tfvars, when set (VSpherePassword only to be
 * named as left out). */
static const char *const shared_fields[] = {
	"Server", "VSphereUser", "VSpherePassword", "VSphereCAFile",
	"VSphereAllowUnverifiedSSL", "Datacenter", "ComputeCluster",
	"ResourcePool", "DataStore", "DatastoreCluster", "NetworkInterface",
	"Template", "Label", "Tag",
};

static int write_shared(const char *state_dir, const struct plan *p)
{
	const struct node *n0 = p->n ? &p->nodes[0] : NULL;
	const char *label = n0 ? node_get(n0, "Label") : NULL;
	const char *tag = n0 ? node_get(n0, "Tag") : NULL;
	cJSON *vars = cJSON_CreateObject();
	struct buf secrets;
	char *dir = NULL, *name = NULL;
	int ret = -1;

	buf_init(&secrets, BUF_CAP_LINE);
	if (!vars)
		abort();
	if (!n0) {
		error("terraform: the plan has no nodes");
		goto out;
	}
	if (!label || !tag) {
		error("terraform: the nodes have no Label or Tag");
		goto out;
	}
	name = xasprintf("%s-%s", label, tag);
	dir = xasprintf("%s/%s", state_dir, name);
	if (tf_add_fields(vars, &secrets, n0, shared_fields,
			  ARRAY_SIZE(shared_fields))) {
		error("terraform: %s: tfvars too large", name);
		goto out;
	}
	tf_set(vars, "MachineName", name);
	ret = tf_write_dir(state_dir, dir, &folder_tf, name, vars, &secrets);
out:
	buf_release(&secrets);
	cJSON_Delete(vars);
	free(dir);
	free(name);
	return ret;
}

static int write_definition(const char *state_dir, const struct plan *p,
			    int def)
{
	const struct node *n0 = NULL;
	cJSON *vars = cJSON_CreateObject();
	struct buf secrets, names;
	char *dir = NULL, *base, *out_file = NULL, num[24];
	size_t i, count = 0;
	int ret = -1;

	buf_init(&secrets, BUF_CAP_LINE);
	buf_init(&names, BUF_CAP_CONFIG);
	if (!vars)
		abort();
	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];

		if (n->def_index != def || !strcmp(n->role, "LB"))
			continue;
		if (!n0)
			n0 = n;
		count++;
		if (tf_list_add(&names, n->name)) {
			error("terraform: definition %d: tfvars too large",
			      def + 1);
			goto out;
		}
	}
	if (!n0) {
		ret = 0;	/* Count 0 */
		goto out;
	}
	dir = statedir_def_dir(state_dir, n0);
	if (!dir || tf_def_fields(vars, &secrets, p, def, n0, def_own,
				  ARRAY_SIZE(def_own)))
		goto out;
	base = strrchr(dir, '/');
	base = base ? base + 1 : dir;
	tf_set(vars, "MachineName", base);
	snprintf(num, sizeof(num), "%d", def);
	tf_set(vars, "DefinitionIndex", num);
	snprintf(num, sizeof(num), "%zu", count);
	tf_set(vars, "InstanceCount", num);
	tf_set(vars, "MachineNames", names.data);
	out_file = xasprintf("%s/terraform.out", dir);
	tf_set(vars, "OutputFile", out_file);
	ret = tf_write_dir(state_dir, dir, &vm_tf, base, vars, &secrets);
out:
	buf_release(&secrets);
	buf_release(&names);
	cJSON_Delete(vars);
	free(out_file);
	free(dir);
	return ret;
}

int vsphere_terraform_write_shared(const char *state_dir,
				   const struct config *cfg,
				   const struct plan *p)
{
	return write_shared(state_dir, p);
}

int vsphere_terraform_write_definition(const char *state_dir,
				       const struct config *cfg,
				       const struct plan *p, int def)
{
	return write_definition(state_dir, p, def);
}

int vsphere_terraform_write(const char *state_dir, const struct config *cfg,
			    const struct plan *p)
{
	int def, ndefs = 0;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->nodes[i].def_index >= ndefs)
			ndefs = p->nodes[i].def_index + 1;
	if (write_shared(state_dir, p))
		return -1;
	for (def = 0; def < ndefs; def++)
		if (write_definition(state_dir, p, def))
			return -1;
	return 0;
}
