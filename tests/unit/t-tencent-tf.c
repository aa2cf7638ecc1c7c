/*
 * t-tencent-tf.c: tencent_terraform_write() and its parts
 * (src/provider/tencent/tf.h): the files of the deployment's and each
 * definition's directory; the deployment's Zone list (defaults.json's
 * order, then the nodes'; without the configuration the nodes' own
 * order); each machine's zone in Zones; the load balancer's values in its
 * definition's tfvars; HCL escaping; that no secret is written but each
 * is named as left out; and that the templates hold what the provider
 * makes (resources, names, tags with the journal keys of tencent.h, the
 * API key taken from the environment).
 */
#include "../../src/icm.h"
#include "tap.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/embed/embedded.h"
#include "../../src/provider/tencent/tf.h"
#include "../../src/state/log.h"
#include "testutil.h"
#include "../../src/util/str.h"

/* Two zones, ap-guangzhou-4 first in defaults.json but the first node's
 * ap-guangzhou-3 (ZoneMap); a definition with a zone of its own. */
static const char mr_defaults[] =
	"{\n"
	"  \"Provider\": \"Tencent\", \"Label\": \"A\", \"Tag\": \"T\",\n"
	"  \"Region\": \"ap-guangzhou\",\n"
	"  \"Zone\": \"ap-guangzhou-4,ap-guangzhou-3\",\n"
	"  \"InstanceFamily\": \"S5\", \"SecretID\": \"AKID-s3cret\",\n"
	"  \"SecretKey\": \"sk-s3cret\", \"SSHUser\": \"u\",\n"
	"  \"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\",\n"
	"  \"DockerImage\": \"intersystems/iris:1\",\n"
	"  \"ISCPassword\": \"isc-s3cret\",\n"
	"  \"net_subnet_cidr\": \"10.9.0.0/24\"\n"
	"}\n";
static const char mr_definitions[] =
	"[\n"
	"  {\"Role\": \"DATA\", \"Count\": 3, \"ZoneMap\": \"1,0,1\",\n"
	"   \"DataVolumeType\": \"CLOUD_SSD\"},\n"
	"  {\"Role\": \"WS\", \"Count\": 0},\n"
	"  {\"Role\": \"COMPUTE\", \"StartCount\": 7,\n"
	"   \"Zone\": \"ap-guangzhou-6\"}\n"
	"]\n";

/* One zone, a load balancer, an existing VPC and subnet, ElasticIP,
 * escaping, secrets. */
static const char lb_defaults[] =
	"{\n"
	"  \"Provider\": \"Tencent\", \"Label\": \"L\", \"Tag\": \"B\",\n"
	"  \"Region\": \"na-siliconvalley\",\n"
	"  \"Zone\": \"na-siliconvalley-1\", \"ImageId\": \"img-1\",\n"
	"  \"InstanceType\": \"S2.MEDIUM4\", \"SecretID\": \"AKID-s3cret\",\n"
	"  \"SecretKey\": \"sk-s3cret\", \"SSHUser\": \"u\",\n"
	"  \"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\",\n"
	"  \"DockerImage\": \"intersystems/iris:1\",\n"
	"  \"VPCId\": \"vpc-1\", \"SubnetIds\": \"subnet-1\",\n"
	"  \"ElasticIP\": \"true\", \"ISCPassword\": \"isc-s3cret\",\n"
	"  \"DockerPassword\": \"dk-s3cret\", \"SuperServerPort\": 1973\n"
	"}\n";
static const char lb_definitions[] =
	"[\n"
	"  {\"Role\": \"DATA\", \"Count\": 2, \"LoadBalancer\": \"true\",\n"
	"   \"HealthCheckPath\": \"/s/i \\\"q\\\" ${x} %{y}\"}\n"
	"]\n";

static void templates(void)
{
#define PROV "embedded/terraform/tencent/provider.tf"
#define NET "embedded/terraform/tencent/Network/infrastructure.tf"
#define INST "embedded/terraform/tencent/Instance/infrastructure.tf"
	tmpl_holds(PROV, "source  = \"tencentcloudstack/tencentcloud\"");
	tmpl_holds(PROV, "region = var.Region");
	tmpl_holds(PROV, "TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY");
	ok(!strstr((const char *)embedded_find(PROV)->data, "secret_id") &&
	   !strstr((const char *)embedded_find(PROV)->data, "SecretKey\""),
	   "provider.tf: no secret_id attribute nor SecretKey variable");
	tmpl_holds(PROV, "\"${local.deployment}-${z}\"");
	tmpl_holds(PROV, "replace(substr(local.deployment, 0, 25), "
		   "\"/[^A-Za-z0-9]/\", \"_\")");
	tmpl_holds(PROV, "tags = { icm-deployment = local.deployment }");
	tmpl_holds(NET, "resource \"tencentcloud_vpc\" \"deployment\"");
	tmpl_holds(NET, "tags       = merge(local.tags, { icm-key = \"vpc\" })");
	tmpl_holds(NET, "resource \"tencentcloud_subnet\" \"zone\"");
	tmpl_holds(NET, "{ icm-key = \"subnet/${each.key}\" }");
	tmpl_holds(NET, "resource \"tencentcloud_security_group\" "
		   "\"deployment\"");
	tmpl_holds(NET, "description = \"icm: the ports of every role\"");
	tmpl_holds(NET, "{ icm-key = \"sg\" }");
	tmpl_holds(NET, "resource \"tencentcloud_security_group_rule_set\"");
	tmpl_holds(NET, "[{ protocol = \"ICMP\", port = \"ALL\" }]");
	tmpl_holds(NET, "description = \"icm\"");
	tmpl_holds(NET, "resource \"tencentcloud_key_pair\" \"deployment\"");
	tmpl_holds(NET, "{ icm-key = \"keypair\" }");
	tmpl_holds(INST, "data \"tencentcloud_vpc_subnets\" \"zone\"");
	tmpl_holds(INST, "data \"tencentcloud_images\" \"public\"");
	tmpl_holds(INST, "image_type = [\"PUBLIC_IMAGE\"]");
	tmpl_holds(INST, "data \"tencentcloud_instance_types\" \"zone\"");
	tmpl_holds(INST, "exclude_sold_out = true");
	tmpl_holds(INST, "name   = \"zone\"");
	tmpl_holds(INST, "resource \"tencentcloud_instance\" \"node\"");
	tmpl_holds(INST, "instance_name              = "
		   "local.machines[count.index]");
	tmpl_holds(INST, "{ icm-key = \"node/${m}\", icm-machine = m }");
	tmpl_holds(INST, "internet_charge_type       = "
		   "\"TRAFFIC_POSTPAID_BY_HOUR\"");
	tmpl_holds(INST, "internet_max_bandwidth_out = local.public_ip ? 10 "
		   ": 0");
	tmpl_holds(INST, "delete_with_instance = true");
	tmpl_holds(INST, "resource \"tencentcloud_eip\" \"node\"");
	tmpl_holds(INST, "{ icm-key = \"eip/${local.eips[count.index]}\"");
	tmpl_holds(INST, "resource \"tencentcloud_eip_association\" \"node\"");
	tmpl_holds(INST, "resource \"tencentcloud_clb_instance\" \"lb\"");
	tmpl_holds(INST, "{ icm-key = \"clb/${var.LoadBalancerName}\" }");
	tmpl_holds(INST, "resource \"tencentcloud_clb_listener\" \"lb\"");
	tmpl_holds(INST, "listener_name             = "
		   "\"${var.LoadBalancerName}-${each.key}\"");
	tmpl_holds(INST, "resource \"tencentcloud_clb_attachment\" \"lb\"");
	tmpl_holds(INST, "port        = tonumber(each.key)");
#undef PROV
#undef NET
#undef INST
}

/* The multi-zone deployment: lists, per-machine zones, parts. */
static void multi_zone(const char *dir)
{
	char *state = xasprintf("%s/mr", dir), *state2, *shared, *data, *cn;
	char *path;
	struct config cfg;
	struct plan p;

	load_plan(dir, mr_defaults, mr_definitions, &cfg, &p);
	is_int(p.n, 4, "3 DATA + 1 COMPUTE");
	is_int(tencent_terraform_write(state, &cfg, &p), 0,
	       "tencent_terraform_write");
	shared = slurp_in(state, "A-T", "terraform.tfvars");
	data = slurp_in(state, "A-DATA-T", "terraform.tfvars");
	cn = slurp_in(state, "A-COMPUTE-T", "terraform.tfvars");
	ok(shared && data && cn, "tfvars of the deployment and each "
	   "definition with nodes");
	path = xasprintf("%s/A-WS-T", state);
	ok(!fs_exists(path), "none for a definition of Count 0");
	free(path);
	is_int(mode_in(state, "A-DATA-T", "terraform.tfvars"), 0600,
	       "tfvars mode 600");
	is_int(mode_in(state, "A-T", ""), 0700, "directories 700");
	same_as(state, "A-T", "provider.tf",
		"embedded/terraform/tencent/provider.tf");
	same_as(state, "A-T", "infrastructure.tf",
		"embedded/terraform/tencent/Network/infrastructure.tf");
	same_as(state, "A-COMPUTE-T", "provider.tf",
		"embedded/terraform/tencent/provider.tf");
	same_as(state, "A-DATA-T", "infrastructure.tf",
		"embedded/terraform/tencent/Instance/infrastructure.tf");

	ok_line(shared, "Region = \"ap-guangzhou\"");
	ok_line(shared, "net_subnet_cidr = \"10.9.0.0/24\"");
	ok_line(shared, "SSHPublicKey = \"/k.pub\"");
	ok_line(shared, "SuperServerPort = \"1972\"");
	ok_line(shared, "Zone = \"ap-guangzhou-4,ap-guangzhou-3,"
		"ap-guangzhou-6\"");
	ok_line(shared, "MachineName = \"A-T\"");
	ok(shared && !strstr(shared, "InstanceFamily =") &&
	   !strstr(shared, "Role =") && !strstr(shared, "\nZones"),
	   "no definition fields there");

	ok_line(data, "MachineName = \"A-DATA-T\"");
	ok_line(data, "DefinitionIndex = \"0\"");
	ok_line(data, "InstanceCount = \"3\"");
	ok_line(data, "MachineNames = \"A-DATA-T-0001,A-DATA-T-0002,"
		"A-DATA-T-0003\"");
	ok_line(data, "Zones = \"ap-guangzhou-3,ap-guangzhou-4,"
		"ap-guangzhou-3\"");
	ok_line(data, "Zone = \"ap-guangzhou-4,ap-guangzhou-3,"
		"ap-guangzhou-6\"");
	ok_line(data, "DataVolumeType = \"CLOUD_SSD\"");
	ok_line(data, "InstanceFamily = \"S5\"");
	ok_line(data, "Region = \"ap-guangzhou\"");
	path = xasprintf("OutputFile = \"%s/A-DATA-T/terraform.out\"", state);
	ok_line(data, path);
	free(path);
	ok(data && !strstr(data, "LoadBalancerName"), "no load balancer");
	ok_line(cn, "MachineNames = \"A-COMPUTE-T-0007\"");
	ok_line(cn, "Zones = \"ap-guangzhou-6\"");
	ok_line(cn, "DefinitionIndex = \"2\"");
	ok(data && shared && cn && !strstr(data, "s3cret") &&
	   !strstr(shared, "s3cret") && !strstr(cn, "s3cret"),
	   "no secret value written");
	ok_line(data, "# secret fields are never written here; left out: "
		"ISCPassword, SecretID, SecretKey");

	/* without the configuration: the nodes' order */
	state2 = xasprintf("%s/mr2", dir);
	is_int(tencent_terraform_write_shared(state2, NULL, &p), 0,
	       "the deployment's part, without the configuration");
	free(shared);
	shared = slurp_in(state2, "A-T", "terraform.tfvars");
	ok_line(shared, "Zone = \"ap-guangzhou-3,ap-guangzhou-4,"
		"ap-guangzhou-6\"");
	path = xasprintf("%s/A-DATA-T", state2);
	ok(!fs_exists(path), "... and no definition's");
	free(path);
	is_int(tencent_terraform_write_definition(state2, &cfg, &p, 2), 0,
	       "definition 3's part");
	path = xasprintf("%s/A-COMPUTE-T/infrastructure.tf", state2);
	ok(fs_exists(path), "... writes its directory");
	free(path);
	path = xasprintf("%s/A-DATA-T", state2);
	ok(!fs_exists(path), "... and no other");
	free(path);
	is_int(tencent_terraform_write_definition(state2, &cfg, &p, 1), 0,
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
	is_int(tencent_terraform_write(state, &cfg, &p), 0,
	       "tencent_terraform_write");
	shared = slurp_in(state, "L-B", "terraform.tfvars");
	data = slurp_in(state, "L-DATA-B", "terraform.tfvars");
	ok_line(shared, "VPCId = \"vpc-1\"");
	ok_line(shared, "SubnetIds = \"subnet-1\"");
	ok_line(shared, "SuperServerPort = \"1973\"");
	ok_line(shared, "Zone = \"na-siliconvalley-1\"");
	ok(shared && !strstr(shared, "net_vpc_cidr"),
	   "no net_vpc_cidr when not set");
	ok_line(data, "LoadBalancer = \"true\"");
	ok_line(data, "LoadBalancerName = \"L-LB-B-0001\"");
	ok_line(data, "ForwardPort = \"1973,52773\"");
	ok_line(data, "ForwardProtocol = \"TCP\"");
	ok_line(data, "HealthCheckPort = \"52773\"");
	ok_line(data, "HealthCheckPath = \"/s/i \\\"q\\\" $${x} %%{y}\"");
	ok_line(data, "InstanceCount = \"2\"");
	ok_line(data, "Zones = \"na-siliconvalley-1,na-siliconvalley-1\"");
	ok_line(data, "ImageId = \"img-1\"");
	ok_line(data, "InstanceType = \"S2.MEDIUM4\"");
	ok_line(data, "ElasticIP = \"true\"");
	ok(shared && data && !strstr(shared, "s3cret") &&
	   !strstr(data, "s3cret") && !strstr(data, "\nSecretID =") &&
	   !strstr(data, "\nSecretKey =") &&
	   !strstr(data, "\nDockerPassword ="), "no secret written");
	ok_line(data, "# secret fields are never written here; left out: "
		"ISCPassword, DockerPassword, SecretID, SecretKey");

	plan_init(&empty);
	is_int(tencent_terraform_write(state, NULL, &empty), -1,
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
	char dir[] = "/tmp/t-tencent-tf-XXXXXX";

	ok(mkdtemp(dir) != NULL, "temp dir");
	templates();
	multi_zone(dir);
	load_balancer(dir);
	if (fs_remove_tree(dir))
		printf("# cannot remove %s\n", dir);
	secrets_wipe();
	return done_testing();
}
