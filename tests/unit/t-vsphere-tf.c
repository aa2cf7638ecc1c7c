/*
 * t-vsphere-tf.c: vsphere_terraform_write() and its parts
 * (src/provider/vsphere/tf.h): the files of the deployment's and each
 * definition's directory, the tfvars lines (the inventory, the
 * definition's fields, per-node lists), HCL escaping, that no secret
 * (VSpherePassword, ISCPassword, the 2018 names Username and Password
 * given here) is ever written but each is named as left out, and that the templates hold what the provider makes (folder,
 * custom attributes, clones with disks on their controllers).
 */
#include "../../src/icm.h"
#include "tap.h"
#include "testutil.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/embed/embedded.h"
#include "../../src/provider/vsphere/tf.h"
#include "../../src/state/log.h"
#include "../../src/util/str.h"

static const char defaults_json[] =
	"{\n"
	"  \"Provider\": \"vSphere\", \"Label\": \"V\", \"Tag\": \"T\",\n"
	"  \"Server\": \"vc.example:8443\", \"Datacenter\": \"DC0\",\n"
	"  \"ComputeCluster\": \"DC0_C0\", \"DatastoreCluster\": \"Pod0\",\n"
	"  \"Username\": \"admin@vsphere.local\",\n"
	"  \"Password\": \"vc-s3cret\", \"ISCPassword\": \"isc-s3cret\",\n"
	"  \"Template\": \"tmpl \\\"q\\\" ${x} %{y}\",\n"
	"  \"SSHUser\": \"u\", \"SSHPublicKey\": \"/k.pub\",\n"
	"  \"SSHPrivateKey\": \"/k\", \"DiskPolicy\": \"thin\",\n"
	"  \"DockerImage\": \"intersystems/iris:1\"\n"
	"}\n";
static const char definitions_json[] =
	"[\n"
	"  {\"Role\": \"DATA\", \"Count\": 3, \"VCPU\": 4, \"Memory\": 8192,\n"
	"   \"SCSIControllerCount\": 2, \"DataVolumeSCSIController\": 2,\n"
	"   \"IPv4Addresses\": \"10.0.0.11,10.0.0.12,10.0.0.13\"},\n"
	"  {\"Role\": \"AR\", \"StartCount\": 4}\n"
	"]\n";

int main(void)
{
	char dir[] = "/tmp/t-vsphere-tf-XXXXXX";
	char *dp, *fp, *state, *state2, *shared = NULL, *data = NULL;
	char *ar = NULL, *path;
	struct config cfg;
	struct plan p, empty;
	int r;

	ok(mkdtemp(dir) != NULL, "temp dir");
	dp = xasprintf("%s/defaults.json", dir);
	fp = xasprintf("%s/definitions.json", dir);
	state = xasprintf("%s/state", dir);
	state2 = xasprintf("%s/state2", dir);
	ok(!write_text(dp, defaults_json) && !write_text(fp, definitions_json),
	   "write files");
	config_init(&cfg);
	plan_init(&p);
	r = config_load(&cfg, dp, fp);
	is_int(r, 0, "config_load");
	if (r)
		printf("# %s\n", report_main_error());
	is_int(plan_build(&cfg, &p), 0, "plan_build");
	is_int(p.n, 4, "3 DATA + 1 AR");

	is_int(vsphere_terraform_write(state, &cfg, &p), 0,
	       "vsphere_terraform_write");
	shared = slurp_in(state, "V-T", "terraform.tfvars");
	data = slurp_in(state, "V-DATA-T", "terraform.tfvars");
	ar = slurp_in(state, "V-AR-T", "terraform.tfvars");
	ok(shared && data && ar, "tfvars of the deployment and each definition");
	is_int(mode_in(state, "V-DATA-T", "terraform.tfvars"), 0600,
	       "tfvars mode 600");
	is_int(mode_in(state, "V-T", ""), 0700, "directories 700");
	same_as(state, "V-T", "provider.tf",
		"embedded/terraform/vsphere/provider.tf");
	same_as(state, "V-T", "infrastructure.tf",
		"embedded/terraform/vsphere/Folder/infrastructure.tf");
	same_as(state, "V-AR-T", "provider.tf",
		"embedded/terraform/vsphere/provider.tf");
	same_as(state, "V-DATA-T", "infrastructure.tf",
		"embedded/terraform/vsphere/VM/infrastructure.tf");

	/* the templates hold what the provider makes */
#define PROV "embedded/terraform/vsphere/provider.tf"
#define FOLDER "embedded/terraform/vsphere/Folder/infrastructure.tf"
#define VM "embedded/terraform/vsphere/VM/infrastructure.tf"
	tmpl_holds(PROV, "source  = \"hashicorp/vsphere\"");
	tmpl_holds(PROV, "version = \"~> 2.0\"");
	tmpl_holds(PROV, "password             = var.VSpherePassword");
	tmpl_holds(PROV, "allow_unverified_ssl = var.VSphereAllowUnverifiedSSL");
	tmpl_holds(PROV, "sensitive   = true");
	tmpl_holds(PROV, "data \"vsphere_datastore_cluster\" \"pod\"");
	tmpl_holds(PROV, "data \"vsphere_virtual_machine\" \"template\"");
	tmpl_holds(FOLDER, "resource \"vsphere_folder\" \"deployment\"");
	tmpl_holds(FOLDER, "name                = \"icm.deployment\"");
	tmpl_holds(FOLDER, "name                = \"icm.machine\"");
	tmpl_holds(FOLDER, "#   (no record)           custom attributes icm.deployment");
	tmpl_holds(VM, "#   node/<machine>");
	tmpl_holds(VM, "count                = var.InstanceCount");
	tmpl_holds(VM, "datastore_cluster_id = local.datastore_cluster_id");
	tmpl_holds(VM, "scsi_controller_count = var.SCSIControllerCount");
	tmpl_holds(VM, "unit = (v.controller - 1) * 15 + ");
	tmpl_holds(VM, "thin_provisioned = var.DiskPolicy == \"thin\"");
	tmpl_holds(VM, "eagerly_scrub    = var.DiskPolicy == \"eagerZeroedThick\"");
	tmpl_holds(VM, "host_name = local.machines[count.index]");
	tmpl_holds(VM, "ipv4_address = length(local.ipv4) > 0 ? "
		 "local.ipv4[count.index] : null");
	tmpl_holds(VM, "timeout       = var.CloneTimeout");
	tmpl_holds(VM, "(data.vsphere_custom_attribute.machine.id)    = "
		 "local.machines[count.index]");
#undef PROV
#undef FOLDER
#undef VM

	/* the deployment */
	ok_line(shared, "Server = \"vc.example:8443\"");
	ok_line(shared, "VSphereUser = \"admin@vsphere.local\"");
	ok_line(shared, "Datacenter = \"DC0\"");
	ok_line(shared, "ComputeCluster = \"DC0_C0\"");
	ok_line(shared, "DatastoreCluster = \"Pod0\"");
	ok_line(shared, "MachineName = \"V-T\"");
	ok(shared && !strstr(shared, "VCPU =") && !strstr(shared, "Role ="),
	   "no definition fields there");

	/* a definition: its fields, the per-node lists */
	ok_line(data, "MachineName = \"V-DATA-T\"");
	ok_line(data, "Role = \"DATA\"");
	ok_line(data, "DefinitionIndex = \"0\"");
	ok_line(data, "InstanceCount = \"3\"");
	ok_line(data, "MachineNames = \"V-DATA-T-0001,V-DATA-T-0002,"
		 "V-DATA-T-0003\"");
	ok_line(data, "IPv4Addresses = \"10.0.0.11,10.0.0.12,10.0.0.13\"");
	ok_line(data, "VCPU = \"4\"");
	ok_line(data, "Memory = \"8192\"");
	ok_line(data, "SCSIControllerCount = \"2\"");
	ok_line(data, "DataVolumeSCSIController = \"2\"");
	ok_line(data, "DiskPolicy = \"thin\"");
	ok_line(data, "DataDeviceName = \"sdc\"");
	ok_line(data, "WaitForGuestNetTimeout = \"5\"");
	path = xasprintf("OutputFile = \"%s/V-DATA-T/terraform.out\"", state);
	ok_line(data, path);
	free(path);
	ok_line(ar, "MachineNames = \"V-AR-T-0004\"");
	ok_line(ar, "InstanceCount = \"1\"");
	ok_line(ar, "DefinitionIndex = \"1\"");

	/* escaping */
	ok_line(shared, "Template = \"tmpl \\\"q\\\" $${x} %%{y}\"");
	ok_line(data, "Template = \"tmpl \\\"q\\\" $${x} %%{y}\"");

	/* secrets */
	ok(shared && data && ar && !strstr(shared, "s3cret") &&
	   !strstr(data, "s3cret") && !strstr(ar, "s3cret"),
	   "no secret value written");
	ok(data && !strstr(data, "\nVSpherePassword =") &&
	   !strstr(data, "\nPassword =") &&
	   !strstr(data, "\nISCPassword ="), "no secret field written");
	ok_line(shared, "# secret fields are never written here; left out: "
		 "VSpherePassword");
	ok_line(data, "# secret fields are never written here; left out: "
		 "ISCPassword, VSpherePassword, Password");

	/* the parts */
	is_int(vsphere_terraform_write_shared(state2, &cfg, &p), 0,
	       "the deployment's part");
	path = xasprintf("%s/V-T/terraform.tfvars", state2);
	ok(fs_exists(path), "... writes its directory");
	free(path);
	path = xasprintf("%s/V-DATA-T", state2);
	ok(!fs_exists(path), "... and no definition's");
	is_int(vsphere_terraform_write_definition(state2, NULL, &p, 1), 0,
	       "definition 2's part");
	free(path);
	path = xasprintf("%s/V-AR-T/infrastructure.tf", state2);
	ok(fs_exists(path), "... writes its directory");
	free(path);
	path = xasprintf("%s/V-DATA-T", state2);
	ok(!fs_exists(path), "... and no other");
	free(path);
	is_int(vsphere_terraform_write_definition(state2, NULL, &p, 7), 0,
	       "a definition without nodes: nothing to write");

	plan_init(&empty);
	is_int(vsphere_terraform_write(state, NULL, &empty), -1,
	       "empty plan refused");
	ok(report_main_error() && strstr(report_main_error(), "no nodes"),
	   "... saying why");

	free(shared);
	free(data);
	free(ar);
	plan_release(&p);
	config_release(&cfg);
	if (fs_remove_tree(dir))
		printf("# cannot remove %s\n", dir);
	free(dp);
	free(fp);
	free(state);
	free(state2);
	secrets_wipe();
	return done_testing();
}
