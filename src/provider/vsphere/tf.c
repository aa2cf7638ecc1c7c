/*
 * tf.c: writes the vSphere Terraform templates
 * (embedded/terraform/vsphere/) and their terraform.tfvars into the state
 * directory (see tf.h), with ../tfwrite.c's helpers.
 */
#include "../../icm.h"
#include "tf.h"
#include "../tfwrite.h"

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
	return tf_write_shared(state_dir, p->n ? &p->nodes[0] : NULL,
			       shared_fields, ARRAY_SIZE(shared_fields), NULL,
			       &folder_tf);
}

static int write_definition(const char *state_dir, const struct plan *p,
			    int def)
{
	return tf_write_def(state_dir, p, def, def_own, ARRAY_SIZE(def_own),
			    NULL, NULL, &vm_tf);
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
	int def;

	if (write_shared(state_dir, p))
		return -1;
	for (def = 0; def < tf_def_count(p); def++)
		if (write_definition(state_dir, p, def))
			return -1;
	return 0;
}
