/*
 * t-gcp-tf.c: gcp_terraform_write() and its parts (src/provider/gcp/tf.h):
 * the files of the deployment's and each definition's directory; the
 * deployment's Region and Zone lists (defaults.json's order, then the
 * nodes'; without the configuration the nodes' own order); each node's
 * zone in Zones; the load balancer's values in its definition's tfvars;
 * HCL escaping; that no secret is written but each is named as left out;
 * and that the templates hold what the provider makes (resources, names,
 * labels, descriptions with the journal keys).
 */
#include "../../src/icm.h"
#include "tap.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/embed/embedded.h"
#include "../../src/provider/gcp/tf.h"
#include "../../src/state/log.h"
#include "testutil.h"
#include "../../src/util/str.h"

/* Two regions, europe-west1 first in defaults.json but the first node's
 * us-east1 (RegionMap, ZoneMap); a definition with a zone of its own. */
static const char mr_defaults[] =
	"{\n"
	"  \"Provider\": \"GCP\", \"Label\": \"G\", \"Tag\": \"T\",\n"
	"  \"Region\": \"europe-west1,us-east1\",\n"
	"  \"Zone\": \"europe-west1-b,us-east1-c\",\n"
	"  \"Image\": \"ubuntu-os-cloud/ubuntu-2204-lts\",\n"
	"  \"MachineType\": \"n1-standard-1\", \"Project\": \"p-1\",\n"
	"  \"Credentials\": \"/sa.json\", \"SSHUser\": \"u\",\n"
	"  \"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\",\n"
	"  \"DockerImage\": \"intersystems/iris:1\",\n"
	"  \"ISCPassword\": \"isc-s3cret\", \"net_subnet_cidr\": \"10.9.0.0/24\"\n"
	"}\n";
static const char mr_definitions[] =
	"[\n"
	"  {\"Role\": \"DATA\", \"Count\": 3, \"RegionMap\": \"1,0,1\",\n"
	"   \"ZoneMap\": \"1,0,1\", \"DataVolumeType\": \"pd-ssd\"},\n"
	"  {\"Role\": \"WS\", \"Count\": 0},\n"
	"  {\"Role\": \"COMPUTE\", \"StartCount\": 7, \"Zone\": \"us-east1-d\",\n"
	"   \"Region\": \"us-east1\"}\n"
	"]\n";

/* One region, a load balancer, an existing network, escaping, secrets. */
static const char lb_defaults[] =
	"{\n"
	"  \"Provider\": \"GCP\", \"Label\": \"L\", \"Tag\": \"B\",\n"
	"  \"Region\": \"us-west1\", \"Zone\": \"us-west1-a,us-west1-b\",\n"
	"  \"Image\": \"p/i\", \"OSVolumeType\": \"p/i \\\"q\\\" ${x} %{y}\",\n"
	"  \"MachineType\": \"e2-small\", \"Project\": \"p-1\",\n"
	"  \"Credentials\": \"/sa.json\", \"SSHUser\": \"u\",\n"
	"  \"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\",\n"
	"  \"DockerImage\": \"intersystems/iris:1\", \"Network\": \"corp\",\n"
	"  \"Subnet\": \"corp-sub\", \"ISCPassword\": \"isc-s3cret\",\n"
	"  \"DockerPassword\": \"dk-s3cret\", \"SuperServerPort\": 1973\n"
	"}\n";
static const char lb_definitions[] =
	"[\n"
	"  {\"Role\": \"DATA\", \"Count\": 2, \"LoadBalancer\": \"true\",\n"
	"   \"HealthCheckPath\": \"/ok\"}\n"
	"]\n";

static void templates(void)
{
#define PROV "embedded/terraform/gcp/provider.tf"
#define NET "embedded/terraform/gcp/Network/infrastructure.tf"
#define INST "embedded/terraform/gcp/Instance/infrastructure.tf"
	tmpl_holds(PROV, "source  = \"hashicorp/google\"");
	tmpl_holds(PROV, "version = \"~> 5.0\"");
	tmpl_holds(PROV, "credentials = file(var.Credentials)");
	tmpl_holds(PROV, "project     = var.Project");
	tmpl_holds(PROV, "ldep         = replace(lower(local.deployment), "
		 "\"/[^a-z0-9-]/\", \"-\")");
	tmpl_holds(NET, "resource \"google_compute_network\" \"deployment\"");
	tmpl_holds(NET, "auto_create_subnetworks = false");
	tmpl_holds(NET, "data \"google_compute_network\" \"given\"");
	tmpl_holds(NET, "resource \"google_compute_subnetwork\" \"region\"");
	tmpl_holds(NET, "description   = \"icm ${local.deployment} "
		 "subnet/${each.key}\"");
	tmpl_holds(NET, "name          = \"${local.ldep}-icm\"");
	tmpl_holds(NET, "source_ranges = [\"0.0.0.0/0\"]");
	tmpl_holds(NET, "target_tags   = [local.ldep]");
	tmpl_holds(INST, "resource \"google_compute_instance\" \"node\"");
	tmpl_holds(INST, "description  = \"icm ${local.deployment} "
		 "node/${local.machines[count.index]}\"");
	tmpl_holds(INST, "labels = { icm-deployment = local.ldep }");
	tmpl_holds(INST, "merge(local.labels, { icm-machine = n })");
	tmpl_holds(INST, "resource \"google_compute_disk\" \"volume\"");
	tmpl_holds(INST, "device_name = attached_disk.value.device");
	tmpl_holds(INST, "ssh-keys = local.ssh_keys");
	tmpl_holds(INST, "subnetwork         = local.subnet_names["
		 "local.node_regions[count.index]]");
	tmpl_holds(INST, "resource \"google_compute_address\" \"node\"");
	tmpl_holds(INST, "resource \"google_compute_http_health_check\" \"lb\"");
	tmpl_holds(INST, "name         = \"${local.lb}-hc\"");
	tmpl_holds(INST, "resource \"google_compute_target_pool\" \"lb\"");
	tmpl_holds(INST, "resource \"google_compute_forwarding_rule\" \"lb\"");
	tmpl_holds(INST, "name        = \"${local.lb}-${each.key}\"");
	tmpl_holds(INST, "#   lbaddr/<LB>, hc/<LB>, pool/<LB>, fwd/<LB>/<port>");
#undef PROV
#undef NET
#undef INST
}

/* The multi-region deployment: lists, per-node zones, parts. */
static void multi_region(const char *dir)
{
	char *state = xasprintf("%s/mr", dir), *state2, *shared, *data, *cn;
	char *path;
	struct config cfg;
	struct plan p;

	load_plan(dir, mr_defaults, mr_definitions, &cfg, &p);
	is_int(p.n, 4, "3 DATA + 1 COMPUTE");
	is_int(gcp_terraform_write(state, &cfg, &p), 0, "gcp_terraform_write");
	shared = slurp_in(state, "G-T", "terraform.tfvars");
	data = slurp_in(state, "G-DATA-T", "terraform.tfvars");
	cn = slurp_in(state, "G-COMPUTE-T", "terraform.tfvars");
	ok(shared && data && cn, "tfvars of the deployment and each "
	   "definition with nodes");
	path = xasprintf("%s/G-WS-T", state);
	ok(!fs_exists(path), "none for a definition of Count 0");
	free(path);
	is_int(mode_in(state, "G-DATA-T", "terraform.tfvars"), 0600,
	       "tfvars mode 600");
	is_int(mode_in(state, "G-T", ""), 0700, "directories 700");
	same_as(state, "G-T", "provider.tf",
		"embedded/terraform/gcp/provider.tf");
	same_as(state, "G-T", "infrastructure.tf",
		"embedded/terraform/gcp/Network/infrastructure.tf");
	same_as(state, "G-COMPUTE-T", "provider.tf",
		"embedded/terraform/gcp/provider.tf");
	same_as(state, "G-DATA-T", "infrastructure.tf",
		"embedded/terraform/gcp/Instance/infrastructure.tf");

	ok_line(shared, "Credentials = \"/sa.json\"");
	ok_line(shared, "Project = \"p-1\"");
	ok_line(shared, "net_subnet_cidr = \"10.9.0.0/24\"");
	ok_line(shared, "SuperServerPort = \"1972\"");
	ok_line(shared, "Region = \"europe-west1,us-east1\"");
	ok_line(shared, "Zone = \"europe-west1-b,us-east1-c,us-east1-d\"");
	ok_line(shared, "MachineName = \"G-T\"");
	ok(shared && !strstr(shared, "MachineType =") &&
	   !strstr(shared, "Role ="), "no definition fields there");

	ok_line(data, "MachineName = \"G-DATA-T\"");
	ok_line(data, "DefinitionIndex = \"0\"");
	ok_line(data, "InstanceCount = \"3\"");
	ok_line(data, "MachineNames = \"G-DATA-T-0001,G-DATA-T-0002,"
		"G-DATA-T-0003\"");
	ok_line(data, "Zones = \"us-east1-c,europe-west1-b,us-east1-c\"");
	ok_line(data, "Region = \"europe-west1,us-east1\"");
	ok_line(data, "Zone = \"europe-west1-b,us-east1-c,us-east1-d\"");
	ok_line(data, "DataVolumeType = \"pd-ssd\"");
	ok_line(data, "WIJVolumeType = \"pd-standard\"");
	ok_line(data, "DataDeviceName = \"sdc\"");
	ok_line(data, "MachineType = \"n1-standard-1\"");
	path = xasprintf("OutputFile = \"%s/G-DATA-T/terraform.out\"", state);
	ok_line(data, path);
	free(path);
	ok(data && !strstr(data, "LoadBalancerName"), "no load balancer");
	ok_line(cn, "MachineNames = \"G-COMPUTE-T-0007\"");
	ok_line(cn, "Zones = \"us-east1-d\"");
	ok_line(cn, "DefinitionIndex = \"2\"");
	ok(data && shared && !strstr(data, "s3cret") &&
	   !strstr(shared, "s3cret"), "no secret value written");
	ok_line(data, "# secret fields are never written here; left out: "
		"ISCPassword");

	/* without the configuration: the nodes' order */
	state2 = xasprintf("%s/mr2", dir);
	is_int(gcp_terraform_write_shared(state2, NULL, &p), 0,
	       "the deployment's part, without the configuration");
	free(shared);
	shared = slurp_in(state2, "G-T", "terraform.tfvars");
	ok_line(shared, "Region = \"us-east1,europe-west1\"");
	ok_line(shared, "Zone = \"us-east1-c,europe-west1-b,us-east1-d\"");
	path = xasprintf("%s/G-DATA-T", state2);
	ok(!fs_exists(path), "... and no definition's");
	free(path);
	is_int(gcp_terraform_write_definition(state2, &cfg, &p, 2), 0,
	       "definition 3's part");
	path = xasprintf("%s/G-COMPUTE-T/infrastructure.tf", state2);
	ok(fs_exists(path), "... writes its directory");
	free(path);
	path = xasprintf("%s/G-DATA-T", state2);
	ok(!fs_exists(path), "... and no other");
	free(path);
	is_int(gcp_terraform_write_definition(state2, &cfg, &p, 1), 0,
	       "a definition without nodes: nothing to write");

	free(shared);
	free(data);
	free(cn);
	free(state);
	free(state2);
	plan_release(&p);
	config_release(&cfg);
}

/* The load balancer's values, an existing network, escaping, secrets. */
static void load_balancer(const char *dir)
{
	char *state = xasprintf("%s/lb", dir), *shared, *data;
	struct config cfg;
	struct plan p, empty;

	load_plan(dir, lb_defaults, lb_definitions, &cfg, &p);
	is_int(p.n, 3, "2 DATA + their load balancer");
	is_int(gcp_terraform_write(state, &cfg, &p), 0, "gcp_terraform_write");
	shared = slurp_in(state, "L-B", "terraform.tfvars");
	data = slurp_in(state, "L-DATA-B", "terraform.tfvars");
	ok_line(shared, "Network = \"corp\"");
	ok_line(shared, "Subnet = \"corp-sub\"");
	ok_line(shared, "SuperServerPort = \"1973\"");
	ok_line(data, "LoadBalancer = \"true\"");
	ok_line(data, "LoadBalancerName = \"L-LB-B-0001\"");
	ok_line(data, "ForwardPort = \"1973,52773\"");
	ok_line(data, "ForwardProtocol = \"TCP\"");
	ok_line(data, "HealthCheckPort = \"52773\"");
	ok_line(data, "HealthCheckPath = \"/ok\"");
	ok_line(data, "InstanceCount = \"2\"");
	ok_line(data, "Zones = \"us-west1-a,us-west1-b\"");
	ok_line(data, "OSVolumeType = \"p/i \\\"q\\\" $${x} %%{y}\"");
	ok(shared && data && !strstr(shared, "s3cret") &&
	   !strstr(data, "s3cret") && !strstr(data, "\nISCPassword =") &&
	   !strstr(data, "\nDockerPassword ="), "no secret written");
	ok_line(data, "# secret fields are never written here; left out: "
		"ISCPassword, DockerPassword");

	plan_init(&empty);
	is_int(gcp_terraform_write(state, NULL, &empty), -1,
	       "empty plan refused");
	ok(report_main_error() && strstr(report_main_error(), "no nodes"),
	   "... saying why");

	free(shared);
	free(data);
	free(state);
	plan_release(&p);
	config_release(&cfg);
}

int main(void)
{
	char dir[] = "/tmp/t-gcp-tf-XXXXXX";

	ok(mkdtemp(dir) != NULL, "temp dir");
	templates();
	multi_region(dir);
	load_balancer(dir);
	if (fs_remove_tree(dir))
		printf("# cannot remove %s\n", dir);
	secrets_wipe();
	return done_testing();
}
