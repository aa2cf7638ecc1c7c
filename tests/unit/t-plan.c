/*
 * t-plan.c: config_get precedence, value normalisation, source positions,
 * overrides, and the fields plan_build puts on nodes (instances.json).
 */
#include "../../src/icm.h"
#include "tap.h"
#include "../../src/config/config.h"
#include "../../src/config/instances.h"
#include "../../src/config/plan.h"
#include "../../src/provider/provider.h"
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

/* Loads defaults text d and definitions text f (written in dir). */
static int load_texts(const char *dir, const char *d, const char *f,
		      struct config *cfg)
{
	char *dp = xasprintf("%s/defaults.json", dir);
	char *fp = xasprintf("%s/definitions.json", dir);
	int r;

	config_init(cfg);
	r = write_file(dp, d) || write_file(fp, f) ? -1 :
		config_load(cfg, dp, fp);
	unlink(dp);
	unlink(fp);
	free(dp);
	free(fp);
	return r;
}

static const char lic_defaults[] =
	"{\"Provider\": \"AWS\", \"Label\": \"L\", \"Tag\": \"T\", "
	"\"Region\": \"r\", \"Zone\": \"z\", \"AMI\": \"ami-1\", "
	"\"InstanceType\": \"t\", \"Credentials\": \"/c\", "
	"\"SSHUser\": \"u\", \"SSHKey\": \"/k.pub\", \"KeyFile\": \"/k\", "
	"\"DockerImage\": \"intersystems/iris:1\", \"Mirror\": \"true\"}";

/* Validates and plans the guide's ECP definitions with the DMs', the AMs'
 * and the arbiter's extra fields dm, am, ar. */
static int lic_plan(const char *dir, struct config *cfg, struct plan *p,
		    const char *dm, const char *am, const char *ar)
{
	char *defs = xasprintf(
		"[{\"Role\": \"DM\", \"Count\": \"2\", %s},\n"
		" {\"Role\": \"AM\", \"Count\": \"3\", \"StartCount\": \"3\", "
		"%s},\n"
		" {\"Role\": \"AR\", \"StartCount\": \"6\"%s}]\n", dm, am, ar);
	int r;

	plan_init(p);
	r = load_texts(dir, lic_defaults, defs, cfg);
	if (!r)
		r = config_validate(cfg);
	if (!r)
		r = plan_build(cfg, p);
	free(defs);
	return r;
}

/* ISCLicense: one file per node in order, or one for all; the count
 * checked at validation, the files when provision or run needs them. */
static void isclicense(const char *dir)
{
	struct config cfg;
	struct plan p;
	char *m = xasprintf("%s/master.key", dir);
	char *k[3], *dm, *am, *am2, *path;
	int i, r;

	for (i = 0; i < 3; i++) {
		k[i] = xasprintf("%s/isc%d.key", dir, i + 1);
		ok(!write_file(k[i], "[ConfigFile] TEST KEY\n"), "key %d", i + 1);
	}
	ok(!write_file(m, "[ConfigFile] MASTER\n"), "master key");
	dm = xasprintf("\"ISCLicense\": \"%s\"", m);
	am = xasprintf("\"ISCLicense\": \"%s,%s,%s\"", k[0], k[1], k[2]);
	am2 = xasprintf("\"ISCLicense\": \"%s,%s\"", k[0], k[1]);

	r = lic_plan(dir, &cfg, &p, dm, am, "");
	is_int(r, 0, "the guide's ECP licenses validate and plan");
	is_int(p.n, 6, "2 DM, 3 AM, 1 AR");
	if (!r && p.n == 6) {
		is_str(node_get(&p.nodes[0], "ISCLicense"), m,
		       "one file for both DMs: the first");
		is_str(node_get(&p.nodes[1], "ISCLicense"), m, "... the second");
		for (i = 0; i < 3; i++)
			ok(!strcmp(node_get(&p.nodes[2 + i], "ISCLicense"),
				   k[i]), "AM %d: its own file, in order",
			   i + 3);
		is_int(plan_check_licenses(&p), 0, "every file is there");
		unlink(k[1]);
		is_int(plan_check_licenses(&p), -1, "a file missing: refused");
		path = xasprintf("L-AM-T-0004: field 'ISCLicense': cannot read "
				 "the license key '%s': No such file or "
				 "directory", k[1]);
		is_str(report_main_error(), path,
		       "... naming node, field, file");
		free(path);
		ok(!write_file(k[1], ""), "an empty key");
		is_int(plan_check_licenses(&p), -1, "an empty file: refused");
		ok(strstr(report_main_error(), "is empty") != NULL,
		   "... saying so");
		ok(!write_file(k[1], "[ConfigFile] TEST KEY\n"), "key 2 again");
	}
	plan_release(&p);
	config_release(&cfg);

	r = lic_plan(dir, &cfg, &p, dm, am2, "");
	is_int(r, -1, "2 files for Count 3: refused at validation");
	ok(strstr(report_main_error(), "definitions.json:2:") &&
	   strstr(report_main_error(), "field 'ISCLicense': 2 license files "
		  "for Count 3"), "... naming the file, line and field");
	plan_release(&p);
	config_release(&cfg);

	free(am2);
	am2 = xasprintf("\"ISCLicense\": \"%s,%s,%s,%s\"", k[0], k[1], k[2],
			k[0]);
	r = lic_plan(dir, &cfg, &p, dm, am2, "");
	is_int(r, -1, "4 files for Count 3: refused too");
	plan_release(&p);
	config_release(&cfg);

	free(am2);
	am2 = xasprintf("%s, \"LicenseKey\": \"a.key\", \"LicenseDir\": "
			"\"%s\"", am, dir);
	r = lic_plan(dir, &cfg, &p, dm, am2, "");
	is_int(r, -1, "ISCLicense and LicenseDir/LicenseKey on one node");
	ok(strstr(report_main_error(), "definition 2 also has 'LicenseDir'") !=
	   NULL, "... one clear error");
	plan_release(&p);
	config_release(&cfg);

	path = xasprintf(", \"ISCLicense\": \"%s/none.key\"", dir);
	r = lic_plan(dir, &cfg, &p, dm, am, path);
	is_int(r, 0, "ISCLicense on the arbiter (no IRIS there): ignored");
	if (!r)
		is_int(plan_check_licenses(&p), 0,
		       "... its file is not needed");
	plan_release(&p);
	config_release(&cfg);
	free(path);

	for (i = 0; i < 3; i++) {
		unlink(k[i]);
		free(k[i]);
	}
	unlink(m);
	free(m);
	free(dm);
	free(am);
	free(am2);
}

/*
 * instances.json is untrusted (issue 14): each entry's fields pass the
 * configuration's rules and instances.json's own, reported with the place
 * of the value; a name that would leave the state directory never loads.
 */
#define INST_OK "\"MachineName\": \"L-DM-T-0001\", \"Role\": \"DM\", " \
	"\"Label\": \"L\", \"Tag\": \"T\", \"IPAddress\": \"10.0.0.1\", " \
	"\"Member\": \"primary\", \"MirrorSetName\": \"MIRRORDM01\", " \
	"\"DefinitionIndex\": \"0\", \"MasterStateDir\": \"/srv/a..b/..c\""
static void hostile_instances(const char *dir)
{
	static const struct {
		const char *entry, *want;
	} cases[] = {
		{ "{\"MachineName\": \"../../../../tmp/x\", \"Role\": \"DM\"}",
		  "instances.json:2:17: field 'MachineName': expected letters, "
		  "digits, '_', '.' and '-' only, got '../../../../tmp/x'" },
		{ "{\"MachineName\": \"a/b\", \"Role\": \"DM\"}",
		  "field 'MachineName': expected letters" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", \"Label\": \"..\"}",
		  "field 'Label': must not start with '.' or '-' or contain "
		  "'..', got '..'" },
		{ "{\"MachineName\": \"m\", \"Role\": \"../x\"}",
		  "field 'Role': unrecognized role, got '../x'" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", \"Tag\": \"$(id)\"}",
		  "field 'Tag': expected letters" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", \"PrivateIPAddress\":"
		  " \"10.0.0.2\\\",1972,\\\"X\\\") do $zf(-1,\\\"id\\\") //\"}",
		  "field 'PrivateIPAddress': expected an IPv4 or IPv6 address" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", \"DNSName\": "
		  "\"a b\"}", "field 'DNSName': expected a host name" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", \"Member\": "
		  "\"evil\"}", "field 'Member': expected one of primary, "
		  "backup, async, got 'evil'" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", \"MirrorSetName\":"
		  " \"../../x\"}", "field 'MirrorSetName':" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", \"Zone\": "
		  "\"a\\nb\"}", "field 'Zone': entry 1: expected letters, "
		  "digits, '_', '.' and '-' only, got 'a\\x0ab'" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", "
		  "\"DefinitionIndex\": \"99999999999\"}",
		  "field 'DefinitionIndex': expected a whole number" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", \"Namespace\": "
		  "\"X\\\") do 1\"}", "field 'Namespace': expected a namespace" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", "
		  "\"MasterStateDir\": \"/srv/icm/../../etc\"}",
		  "field 'MasterStateDir': expected an absolute path" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", "
		  "\"StateDir\": \"state/x\"}",
		  "field 'StateDir': expected an absolute path" },
		{ "{\"MachineName\": \"m\", \"Role\": \"DM\", "
		  "\"MasterStateDir\": \"/srv/..\"}",
		  "field 'MasterStateDir': expected an absolute path" },
		{ "{" INST_OK ", \"MachineName\": \"other\"}",
		  "instances.json:2:208: duplicate field 'MachineName'" },
		{ "{" INST_OK "},\n{" INST_OK "}",
		  "instances.json: entries 1 and 2 are both machine "
		  "'L-DM-T-0001'" },
	};
	char *ip = xasprintf("%s/instances.json", dir), *text;
	struct plan p;
	size_t i;
	int r;

	text = xasprintf("[\n{" INST_OK "}\n]\n");
	plan_init(&p);
	r = write_file(ip, text) ? -1 : instances_load(ip, &p);
	is_int(r, 0, "instances.json: a good entry loads");
	if (r)
		printf("# %s\n", report_main_error());
	plan_release(&p);
	free(text);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *m;

		text = xasprintf("[\n%s\n]\n", cases[i].entry);
		plan_init(&p);
		r = write_file(ip, text) ? 0 : instances_load(ip, &p);
		m = report_main_error();
		ok(r == -1 && m && strstr(m, cases[i].want) &&
		   str_starts(m, ip), "instances.json refuses case %zu: %s",
		   i + 1, m ? m : "(no error)");
		plan_release(&p);
		free(text);
	}
	ok(!fs_exists("/tmp/x"), "nothing made outside the state directory");
	unlink(ip);
	free(ip);
}

/* One provider's -plan facts: the region field its nodes get, the
 * first node's Machine Type and Volumes (fields.def PROVIDER rows). */
struct facts_case {
	const char *provider, *defaults, *defs;
	const char *region_field, *region, *machine, *volumes;
};
static const struct facts_case facts_cases[] = {
	{ "AWS", "\"AMI\": \"a\", \"InstanceType\": \"m5\", "
	  "\"Region\": \"r1\", \"Zone\": \"z\", \"Credentials\": \"/c\", "
	  "\"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\"",
	  "\"Role\": \"DM\"", "Region", "r1", "m5",
	  "OS 32, data 10, WIJ 10, journals 10+10" },
	{ "GCP", "\"Project\": \"p\", \"Image\": \"i\", "
	  "\"MachineType\": \"n1\", \"Region\": \"g1,g2\", "
	  "\"Zone\": \"z1,z2\", \"Credentials\": \"/c\", "
	  "\"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\"",
	  "\"Role\": \"VM\", \"ZoneMap\": \"1\", \"RegionMap\": \"1\"",
	  "Region", "g2", "n1", "OS 32" },
	{ "Azure", "\"SubscriptionId\": \"s\", \"TenantId\": \"t\", "
	  "\"UseMSI\": \"true\", \"PublisherName\": \"p\", "
	  "\"Location\": \"e1,w1\", \"Size\": \"DS1\", \"Zone\": \"1,2\", "
	  "\"SSHPassword\": \"pw-123456\", \"SSHPublicKey\": \"/k.pub\", "
	  "\"SSHPrivateKey\": \"/k\"",
	  "\"Role\": \"DM\", \"ZoneMap\": \"1\", \"LocationMap\": \"1\"",
	  "Location", "w1", "DS1", "OS 32, data 10, WIJ 10, journals 10+10" },
	{ "vSphere", "\"Server\": \"s\", \"Datacenter\": \"d\", "
	  "\"ComputeCluster\": \"c\", \"VSphereUser\": \"u\", "
	  "\"VSpherePassword\": \"pw-123456\", \"Template\": \"t\", "
	  "\"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\", "
	  "\"VCPU\": 4", "\"Role\": \"DM\"", "Region", NULL,
	  "4 vCPU, ? MB", "OS 32, data 10, WIJ 10, journals 10+10" },
	{ "Tencent", "\"SecretID\": \"s-123456\", "
	  "\"SecretKey\": \"k-123456\", \"Region\": \"ap\", "
	  "\"Zone\": \"z\", \"SSHPublicKey\": \"/k.pub\", "
	  "\"SSHPrivateKey\": \"/k\"", "\"Role\": \"DM\"", "Region", "ap",
	  "S3", "OS 32, data 60, WIJ 10, journals 10+10" },
	{ "PreExisting", "\"SSHPrivateKey\": \"/k\"",
	  "\"Role\": \"DM\", \"DNSName\": \"h.example\"", "Region", NULL,
	  "(existing h.example)", "existing" },
};

static void plan_facts(const char *dir)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(facts_cases); i++) {
		const struct facts_case *c = &facts_cases[i];
		char *d = xasprintf("{\"Provider\": \"%s\", \"Label\": \"L\", "
				    "\"Tag\": \"T\", \"SSHUser\": \"u\", "
				    "\"DockerImage\": \"intersystems/iris:1\", "
				    "%s}", c->provider, c->defaults);
		char *f = xasprintf("[{%s}]", c->defs);
		char *machine = NULL, *volumes = NULL;
		const char *rv;
		struct config cfg;
		struct plan p;
		int r;

		plan_init(&p);
		r = load_texts(dir, d, f, &cfg);
		if (!r)
			r = config_validate(&cfg);
		if (!r)
			r = plan_build(&cfg, &p);
		ok(!r && p.n == 1, "%s: plans one node%s%s", c->provider,
		   r ? ": " : "", r ? report_main_error() : "");
		if (!r && p.n == 1) {
			machine = provider_plan_machine(c->provider,
							&p.nodes[0]);
			volumes = provider_plan_volumes(c->provider,
							&p.nodes[0]);
			rv = node_get(&p.nodes[0], c->region_field);
			ok(c->region ? rv && !strcmp(rv, c->region) &&
					 p.nodes[0].region &&
					 !strcmp(p.nodes[0].region, c->region)
				     : !rv && !p.nodes[0].region,
			   "%s: region field %s is %s", c->provider,
			   c->region_field, c->region ? c->region : "unset");
			ok(!strcmp(machine, c->machine),
			   "%s: Machine Type '%s'", c->provider, machine);
			ok(!strcmp(volumes, c->volumes),
			   "%s: Volumes '%s'", c->provider, volumes);
		}
		free(machine);
		free(volumes);
		plan_release(&p);
		config_release(&cfg);
		free(f);
		free(d);
	}
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
		printf("# %s\n", report_main_error());
	ok(secret_found("pw-d0cker"), "DockerPassword registered as secret");
	is_str(config_get(&cfg, -1, "SSHPassword"), "1234567890123456",
	       "a numeric password keeps the text written (not %g)");
	ok(secret_found("x 1234567890123456 y"),
	   "and is masked in that form");
	is_str(config_get(&cfg, 0, "SSHPassword"), "2718281828459045e-3",
	       "in definitions.json too, exponent and all");
	ok(secret_found("2718281828459045e-3"), "masked in that form too");
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
	ok(secret_found("cl1-pw"), "override secret registered");
	r = config_set_overrides(&cfg, cJSON_Parse(
		"{\"Namespace\": \"CLI\", \"ISCPassword\": \"cl1-pw\", "
		"\"WeavePassword\": 3.14159265}"));
	is_int(r, 0, "overrides with a numeric secret");
	is_str(config_get(&cfg, -1, "WeavePassword"), "3.14159265",
	       "a command-line number: the shortest exact text");
	ok(secret_found("3.14159265"), "registered in that form");
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
	isclicense(dir);
	hostile_instances(dir);
	plan_facts(dir);
	rmdir(dir);
	free(dp);
	free(fp);
	secrets_wipe();
	return done_testing();
}
