/*
 * t-plan.c: config_get precedence, value normalisation, source positions,
 * overrides, and the fields plan_build puts on nodes (instances.json).
 */
#include "../../src/icm.h"
#include "tap.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/state/log.h"
#include "../../src/util/fs.h"
#include "../../src/util/str.h"

static const char defaults_json[] =
	"{\n"
	"  \"Provider\": \"AWS\", \"Label\": \"L\", \"Tag\": \"T\",\n"
	"  \"Region\": \"us-east-1\", \"Zone\": \"a,b\", \"AMI\": \"ami-1\",\n"
	"  \"InstanceType\": \"m5.large\", \"Credentials\": \"/c\",\n"
	"  \"SSHUser\": \"ubuntu\", \"SSHKey\": \"/k.pub\", \"KeyFile\": \"/k\",\n"
	"  \"DockerImage\": \"intersystems/iris:1\", \"OSVolumeSize\": 40,\n"
	"  \"Namespace\": \"USER\", \"Mirror\": \"True\", \"_Zone\": \"x\",\n"
	"  \"WeavePassword\": null, \"DockerPassword\": \"pw-d0cker\",\n"
	"  \"SSHPassword\": 1234567890123456\n"
	"}\n";
static const char definitions_json[] =
	"[\n"
	"  {\"Role\": \"DM\", \"Count\": 2, \"Namespace\": \"DMNS\",\n"
	"   \"SSHPassword\": 2718281828459045e-3},\n"
	"  {\"Role\": \"AM\", \"StartCount\": 3, \"LoadBalancer\": true,\n"
	"   \"ISCLicense\": \"/a.key,/b.key\", \"Count\": \"2\",\n"
	"   \"Extra\": [1, 2]}\n"
	"]\n";

static int write_file(const char *path, const char *text)
{
	return fs_write_atomic(path, text, strlen(text), 0600);
}

int main(void)
{
	char dir[] = "/tmp/t-plan-XXXXXX";
	char *dp, *fp;
	struct config cfg;
	struct plan p;
	const struct node *n;
	int r;

	ok(mkdtemp(dir) != NULL, "temp dir");
	dp = xasprintf("%s/defaults.json", dir);
	fp = xasprintf("%s/definitions.json", dir);
	ok(!write_file(dp, defaults_json) && !write_file(fp, definitions_json),
	   "write files");
	config_init(&cfg);
	r = config_load(&cfg, dp, fp);
	is_int(r, 0, "config_load");
	if (r)
		printf("# %s\n", log_last_error());
	ok(log_has_secret("pw-d0cker"), "DockerPassword registered as secret");
	is_str(config_get(&cfg, -1, "SSHPassword"), "1234567890123456",
	       "a numeric password keeps the text written (not %g)");
	ok(log_has_secret("x 1234567890123456 y"),
	   "and is masked in that form");
	is_str(config_get(&cfg, 0, "SSHPassword"), "2718281828459045e-3",
	       "in definitions.json too, exponent and all");
	ok(log_has_secret("2718281828459045e-3"), "masked in that form too");
	is_str(config_get(&cfg, -1, "OSVolumeSize"), "40", "number -> string");
	is_str(config_get(&cfg, 0, "Count"), "2", "Count 2 -> \"2\"");
	is_str(config_get(&cfg, 1, "LoadBalancer"), "true", "true -> \"true\"");
	is_str(config_get(&cfg, 0, "Namespace"), "DMNS", "definition wins");
	is_str(config_get(&cfg, 1, "Namespace"), "USER", "defaults next");
	is_str(config_get(&cfg, 1, "SuperServerPort"), "1972", "built-in");
	is_str(config_get(&cfg, 0, "DataDeviceName"), "xvdd",
	       "per-provider built-in");
	is_str(config_get(&cfg, -1, "WeavePassword"), NULL, "null = unset");
	is_str(config_get(&cfg, -1, "SSHPublicKey"), "/k.pub",
	       "2018 SSHKey stands for SSHPublicKey");
	is_str(config_get(&cfg, 1, "GCPOnly"), NULL, "unknown unset");
	is_str(config_get(&cfg, -1, "Mirror"), "true",
	       "\"True\" accepted (Mirror reads back normalised)");
	is_int(config_validate(&cfg), 0, "config_validate");
	r = config_set_overrides(&cfg, cJSON_Parse(
		"{\"Namespace\": \"CLI\", \"ISCPassword\": \"cl1-pw\"}"));
	is_int(r, 0, "overrides");
	ok(log_has_secret("cl1-pw"), "override secret registered");
	r = config_set_overrides(&cfg, cJSON_Parse(
		"{\"Namespace\": \"CLI\", \"ISCPassword\": \"cl1-pw\", "
		"\"WeavePassword\": 3.14159265}"));
	is_int(r, 0, "overrides with a numeric secret");
	is_str(config_get(&cfg, -1, "WeavePassword"), "3.14159265",
	       "a command-line number: the shortest exact text");
	ok(log_has_secret("3.14159265"), "registered in that form");
	is_str(config_get(&cfg, 0, "Namespace"), "CLI", "command line wins");

	plan_init(&p);
	is_int(plan_build(&cfg, &p), 0, "plan_build");
	is_int(p.n, 5, "2 DM + 2 AM + 1 LB");
	if (p.n == 5) {
		n = &p.nodes[0];
		is_str(n->name, "L-DM-T-0001", "name");
		is_str(n->zone, "a", "zone 1");
		is_str(p.nodes[1].zone, "b", "zone 2 round-robin");
		is_str(n->mirror_member, "primary", "member");
		is_str(p.nodes[1].mirror_member, "backup", "member 2");
		is_str(n->mirror_set, "MIRRORDM01", "mirror set name");
		is_str(node_get(n, "MirrorSetName"), "MIRRORDM01", "in fields");
		is_str(node_get(n, "Member"), "primary", "Member field");
		is_str(node_get(n, "MachineName"), "L-DM-T-0001", "MachineName");
		is_str(node_get(n, "DefinitionIndex"), "0", "DefinitionIndex");
		is_str(node_get(n, "Zone"), "a", "Zone field is the node's");
		is_str(node_get(n, "_Zone"), "x", "unknown carried forward");
		is_str(node_get(n, "Namespace"), "CLI", "override in fields");
		is_str(node_get(n, "DataMountPoint"), "/irissys/data",
		       "mount point default");
		is_str(node_get(n, "DockerPassword"), "pw-d0cker",
		       "secrets are in the fields");
		ok(!cJSON_GetObjectItem(n->fields, "Project"),
		   "other provider's fields left out");
		is_str(node_get(&p.nodes[2], "ISCLicense"), "/a.key",
		       "ISCLicense list: one per node");
		is_str(node_get(&p.nodes[3], "ISCLicense"), "/b.key",
		       "ISCLicense list: second");
		ok(cJSON_IsArray(cJSON_GetObjectItem(p.nodes[2].fields,
						     "Extra")),
		   "unknown non-string carried as is");
		is_str(p.nodes[2].mirror_member, NULL, "AM not mirrored");
		n = &p.nodes[4];
		is_str(n->name, "L-LB-T-0002", "LB named by definition");
		is_str(n->role, "LB", "LB role");
		is_str(n->lb_target, "AM", "lb_target");
		is_str(node_get(n, "LoadBalancerFor"), "AM", "LoadBalancerFor");
		is_str(node_get(n, "ForwardPort"), "1972,52773", "ForwardPort");
		is_str(node_get(n, "HealthCheckPath"),
		       "/csp/user/cache_status.cxw", "HealthCheckPath");
		is_str(n->zone, NULL, "LB has no zone");
	}
	plan_release(&p);
	config_release(&cfg);
	unlink(dp);
	unlink(fp);
	rmdir(dir);
	free(dp);
	free(fp);
	secrets_wipe();
	return done_testing();
}
