/*
 * t-aws-tf.c: aws_terraform_write() (src/provider/aws/tf.h): the files of
 * the shared and per-definition directories, the tfvars lines (ICM's
 * fields, the added ones, the load balancer's), HCL escaping, that no
 * secret is ever written, the Zone list in aws.c's order, and that the
 * templates hold aws.c's resources (one security group in the network's
 * template, a network load balancer, volumes as block devices).
 */
#include "../../src/icm.h"
#include "tap.h"
#include "testutil.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/embed/embedded.h"
#include "../../src/provider/aws/tf.h"
#include "../../src/state/log.h"
#include "../../src/util/str.h"

static const char defaults_json[] =
	"{\n"
	"  \"Provider\": \"AWS\", \"Label\": \"L\", \"Tag\": \"T\",\n"
	"  \"Region\": \"us-east-1\", \"Zone\": \"z-a,z-b\", \"AMI\": \"ami-1\",\n"
	"  \"InstanceType\": \"m5.large\", \"Credentials\": \"/c\",\n"
	"  \"SSHUser\": \"ubuntu\", \"SSHPublicKey\": \"/k.pub\",\n"
	"  \"SSHPrivateKey\": \"/k\", \"VPCId\": \"vpc-1\",\n"
	"  \"DockerImage\": \"intersystems/iris:1\",\n"
	"  \"DockerPassword\": \"pw-d0cker\", \"ISCPassword\": \"isc-s3cret\",\n"
	"  \"Note\": \"a \\\"q\\\" \\\\ ${x} %{y} $$ %\\nline\\u0001\",\n"
	"  \"Extra\": [1, {\"k\": \"v\"}, true, null],\n"
	"  \"Utf\": \"caf\xc3\xa9 \xe9t\xc3\xa9 \xed\xa0\x80\",\n"
	"  \"bad name\": \"x\"\n"
	"}\n";
static const char definitions_json[] =
	"[\n"
	"  {\"Role\": \"DM\", \"DataVolumeSize\": 20, \"Zone\": \"z-b\"},\n"
	"  {\"Role\": \"AM\", \"Count\": 2, \"StartCount\": 2,\n"
	"   \"LoadBalancer\": true, \"ISCLicense\": \"/a.key,/b.key\"}\n"
	"]\n";

static int count_of(const char *text, const char *needle)
{
	int n = 0;

	while (text && (text = strstr(text, needle))) {
		n++;
		text++;
	}
	return n;
}

/* The embedded template path holds (or lacks) text. */
static void tmpl_has(const char *path, const char *text, bool want)
{
	const struct embedded_file *f = embedded_find(path);
	bool has = f && strstr((const char *)f->data, text);

	ok(f && has == want, "%s %s: %s", path + strlen("embedded/terraform/"),
	   want ? "has" : "lacks", text);
}

int main(void)
{
	char dir[] = "/tmp/t-aws-tf-XXXXXX";
	char *dp, *fp, *state, *shared = NULL, *dm = NULL, *am = NULL, *tf;
	const struct embedded_file *tmpl;
	struct config cfg;
	struct plan p, empty;
	int r;

	ok(mkdtemp(dir) != NULL, "temp dir");
	dp = xasprintf("%s/defaults.json", dir);
	fp = xasprintf("%s/definitions.json", dir);
	state = xasprintf("%s/state", dir);
	ok(!write_text(dp, defaults_json) && !write_text(fp, definitions_json),
	   "write files");
	config_init(&cfg);
	plan_init(&p);
	r = config_load(&cfg, dp, fp);
	is_int(r, 0, "config_load");
	if (r)
		printf("# %s\n", report_main_error());
	is_int(plan_build(&cfg, &p), 0, "plan_build");
	is_int(p.n, 4, "1 DM + 2 AM + 1 LB");

	/* without the configuration: the nodes' zones in node order */
	is_int(aws_terraform_write(state, &p), 0, "aws_terraform_write");
	shared = slurp_in(state, "L-T", "terraform.tfvars");
	ok_line(shared, "Zone = \"z-b,z-a\"");
	free(shared);

	is_int(aws_terraform_write_config(state, &cfg, &p), 0,
	       "aws_terraform_write_config");
	shared = slurp_in(state, "L-T", "terraform.tfvars");
	dm = slurp_in(state, "L-DM-T", "terraform.tfvars");
	am = slurp_in(state, "L-AM-T", "terraform.tfvars");
	ok(shared && dm && am, "tfvars of the network and each definition");
	tf = xasprintf("%s/L-LB-T", state);
	ok(!fs_exists(tf), "no directory for the load balancer");
	free(tf);
	is_int(mode_in(state, "L-AM-T", "terraform.tfvars"), 0600,
	       "tfvars mode 600");
	is_int(mode_in(state, "L-T", ""), 0700, "directories 700");

	tmpl = embedded_find("embedded/terraform/aws/VPC/infrastructure.tf");
	tf = slurp_in(state, "L-T", "infrastructure.tf");
	ok(tmpl && tf && !strcmp(tf, (const char *)tmpl->data),
	   "shared infrastructure.tf is the VPC template");
	free(tf);
	tmpl = embedded_find("embedded/terraform/aws/Instance/infrastructure.tf");
	tf = slurp_in(state, "L-DM-T", "infrastructure.tf");
	ok(tmpl && tf && !strcmp(tf, (const char *)tmpl->data),
	   "definition infrastructure.tf is the Instance template");
	free(tf);
	tmpl = embedded_find("embedded/terraform/aws/provider.tf");
	tf = slurp_in(state, "L-AM-T", "provider.tf");
	ok(tmpl && tf && !strcmp(tf, (const char *)tmpl->data),
	   "provider.tf beside it");
	free(tf);
	if (tmpl)
		ok(strstr((const char *)tmpl->data, "\"~> 5.0\"") != NULL,
		   "provider hashicorp/aws ~> 5.0");

	/* the templates hold what aws.c makes */
#define VPC "embedded/terraform/aws/VPC/infrastructure.tf"
#define INST "embedded/terraform/aws/Instance/infrastructure.tf"
	tmpl_has(VPC, "resource \"aws_security_group\" \"default\"", true);
	tmpl_has(VPC, "name        = var.MachineName", true);
	tmpl_has(VPC, "output \"aws_security_group_default_id\"", true);
	tmpl_has(VPC, "cidr_block              = \"10.0.${count.index}.0/24\"",
		 true);
	tmpl_has(VPC, "map_public_ip_on_launch = !var.PrivateSubnet", true);
	tmpl_has(VPC, "make_igw     = var.InternetGatewayId == \"\" && "
		 "var.RouteTableId == \"\"", true);
	tmpl_has(INST, "resource \"aws_security_group\"", false);
	tmpl_has(INST, "data \"aws_security_group\" \"deployment\"", true);
	tmpl_has(INST, "aws_elb", false);
	tmpl_has(INST, "aws_ebs_volume", false);
	tmpl_has(INST, "aws_volume_attachment", false);
	tmpl_has(INST, "resource \"aws_placement_group\" \"default\"", true);
	tmpl_has(INST, "root_block_device {", true);
	tmpl_has(INST, "dynamic \"ebs_block_device\"", true);
	tmpl_has(INST, "load_balancer_type = \"network\"", true);
	tmpl_has(INST, "resource \"aws_lb_target_group\" \"lb\"", true);
	tmpl_has(INST, "resource \"aws_lb_target_group_attachment\" \"lb\"",
		 true);
	tmpl_has(INST, "resource \"aws_lb_listener\" \"lb\"", true);
	tmpl_has(INST, "Owner            = local.deployment", true);
#undef VPC
#undef INST

	/* the shared network */
	ok_line(shared, "SSHPublicKey = \"/k.pub\"");
	ok_line(shared, "Region = \"us-east-1\"");
	ok_line(shared, "Zone = \"z-a,z-b\"");	/* aws.c's order */
	ok_line(shared, "Credentials = \"/c\"");
	ok_line(shared, "MachineName = \"L-T\"");
	ok_line(shared, "Label = \"L\"");
	ok_line(shared, "VPCId = \"vpc-1\"");
	ok_line(shared, "PrivateSubnet = \"false\"");
	ok_line(shared, "SuperServerPort = \"1972\"");
	ok_line(shared, "WebServerPort = \"52773\"");
	ok_line(shared, "ISCAgentPort = \"2188\"");
	ok_line(shared, "LicenseServerPort = \"4002\"");
	ok(shared && !strstr(shared, "AMI ="), "no definition fields there");

	/* a definition */
	ok_line(dm, "MachineName = \"L-DM-T\"");
	ok_line(dm, "Role = \"DM\"");
	ok_line(dm, "DefinitionIndex = \"0\"");
	ok_line(dm, "InstanceCount = \"1\"");
	ok_line(dm, "MachineNames = \"L-DM-T-0001\"");
	ok_line(dm, "MachineZones = \"z-b\"");
	ok_line(dm, "Zone = \"z-a,z-b\"");
	ok_line(dm, "DataVolumeSize = \"20\"");
	ok_line(dm, "DataDeviceName = \"xvdd\"");
	ok_line(dm, "Journal2DeviceName = \"xvdg\"");
	ok_line(dm, "AMI = \"ami-1\"");
	ok(dm && !strstr(dm, "LoadBalancerName"), "no load balancer there");

	/* per-node values, the load balancer */
	ok_line(am, "MachineName = \"L-AM-T\"");
	ok_line(am, "InstanceCount = \"2\"");
	ok_line(am, "MachineNames = \"L-AM-T-0002,L-AM-T-0003\"");
	ok_line(am, "MachineZones = \"z-a,z-b\"");
	ok_line(am, "ISCLicense = \"/a.key,/b.key\"");
	ok_line(am, "LoadBalancer = \"true\"");
	ok_line(am, "LoadBalancerName = \"L-LB-T-0002\"");
	ok_line(am, "ForwardPort = \"1972,52773\"");
	ok_line(am, "HealthCheckPath = \"/csp/user/cache_status.cxw\"");
	is_int(count_of(am, "\nForwardPort ="), 1, "ForwardPort once");

	/* escaping */
	ok_line(am, "Note = \"a \\\"q\\\" \\\\ $${x} %%{y} $$ %\\nline"
		 "\\u0001\"");
	ok_line(am, "Extra = [1, { \"k\" = \"v\" }, true, null]");
	ok_line(am, "Utf = \"caf\xc3\xa9 \\ufffdt\xc3\xa9 "
		 "\\ufffd\\ufffd\\ufffd\"");
	ok(am && !strstr(am, "bad name"), "a non-HCL name is left out");

	/* secrets */
	ok(dm && am && shared && !strstr(dm, "pw-d0cker") &&
	   !strstr(am, "pw-d0cker") && !strstr(am, "isc-s3cret") &&
	   !strstr(shared, "isc-s3cret"), "no secret value written");
	ok(am && !strstr(am, "\nDockerPassword =") &&
	   !strstr(am, "\nISCPassword ="), "no secret field written");
	ok_line(am, "# secret fields are never written here; left out: "
		 "ISCPassword, DockerPassword");
	ok_line(shared, "# secret fields are never written here");

	free(am);
	is_int(aws_terraform_write_config(state, &cfg, &p), 0,
	       "written again");
	am = slurp_in(state, "L-AM-T", "terraform.tfvars");
	ok_line(am, "InstanceCount = \"2\"");

	plan_init(&empty);
	is_int(aws_terraform_write(state, &empty), -1, "empty plan refused");
	ok(report_main_error() && strstr(report_main_error(), "no nodes"),
	   "... saying why");

	free(shared);
	free(dm);
	free(am);
	plan_release(&p);
	config_release(&cfg);
	if (fs_remove_tree(dir))
		printf("# cannot remove %s\n", dir);
	free(dp);
	free(fp);
	free(state);
	secrets_wipe();
	return done_testing();
}
