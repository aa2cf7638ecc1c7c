/*
 * t-iris-phases.c: which IRIS configuration steps each node of the guide's
 * ECP (mirrored DMs, arbiter, AMs) and sharded (DM + DS) deployments gets,
 * node-level clusters (DATA + COMPUTE), query shards round-robin over the
 * data servers, and what a rendered step holds (values quoted, the
 * ICM-OK sentinel and halt at the end); hostile values (the issue's
 * address that closes its literal and calls $zf, control characters,
 * ports that are not numbers) stay in their literal or are refused.
 */
#include "../../src/icm.h"
#include "tap.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/iris/phases.h"
#include "../../src/state/log.h"
#include "../../src/util/fs.h"
#include "../../src/util/str.h"

static const char *field(const void *arg, const struct node *n,
			 const char *name)
{
	(void)arg;
	return node_field(n, name);
}

/* Loads a deployment from JSON texts into p; 0 or -1. */
static int load(const char *defaults, const char *definitions,
		struct config *cfg, struct plan *p)
{
	char dir[] = "/tmp/t-iris-phases-XXXXXX";
	char *dp, *fp;
	int rc;

	if (!mkdtemp(dir))
		return -1;
	dp = xasprintf("%s/defaults.json", dir);
	fp = xasprintf("%s/definitions.json", dir);
	config_init(cfg);
	plan_init(p);
	rc = fs_write_atomic(dp, defaults, strlen(defaults), 0600) ||
		fs_write_atomic(fp, definitions, strlen(definitions), 0600) ||
		config_load(cfg, dp, fp) || plan_build(cfg, p) ? -1 : 0;
	if (rc)
		printf("# %s\n", report_main_error());
	unlink(dp);
	unlink(fp);
	rmdir(dir);
	free(dp);
	free(fp);
	return rc;
}

/* "tls ecp ..." : the steps node `name` gets. */
static char *steps_of(const struct iris_topo *t, const struct plan *p,
		      const char *name)
{
	struct buf b;
	size_t i, k;

	buf_init(&b, BUF_CAP_LINE);
	for (i = 0; i < p->n; i++) {
		if (strcmp(p->nodes[i].name, name))
			continue;
		for (k = 0; k < iris_steps_count(); k++)
			if (iris_step_applies(t, &p->nodes[i], k) &&
			    buf_addf(&b, "%s%s", b.len ? " " : "",
				     iris_step_id(k)))
				return xstrdup("(too long)");
	}
	return b.data ? buf_take(&b) : xstrdup("");
}

static char *render(const struct iris_topo *t, const struct plan *p,
		    const char *name, const char *step, char **title)
{
	struct buf b;
	size_t i, k;

	buf_init(&b, BUF_CAP_CONFIG);
	*title = NULL;
	for (i = 0; i < p->n; i++)
		for (k = 0; k < iris_steps_count(); k++)
			if (!strcmp(p->nodes[i].name, name) &&
			    !strcmp(iris_step_id(k), step) &&
			    iris_step_render(t, &p->nodes[i], k, &b, title))
				printf("# %s\n", report_main_error());
	return b.data ? buf_take(&b) : xstrdup("");
}

static void check_steps(const struct iris_topo *t, const struct plan *p,
			const char *name, const char *want)
{
	char *got = steps_of(t, p, name);
	char *what = xasprintf("%s gets: %s", name, want);

	is_str(got, want, what);
	free(what);
	free(got);
}

#define AWS "\"Provider\": \"AWS\", \"Region\": \"r\", \"Zone\": \"z\", " \
	"\"AMI\": \"ami-1\", \"InstanceType\": \"t\", \"Credentials\": " \
	"\"/c\", \"SSHUser\": \"u\", \"SSHKey\": \"/k.pub\", \"KeyFile\": " \
	"\"/k\", \"DockerImage\": \"intersystems/iris:1\""

static void ecp(void)
{
	struct config cfg;
	struct plan p;
	struct iris_topo *t;
	char *s, *title;

	if (load("{" AWS ", \"Label\": \"ECP\", \"Tag\": \"TEST\", "
		 "\"Mirror\": \"true\", \"SystemMode\": \"TEST \\\"x\\\"\"}",
		 "[{\"Role\": \"DM\", \"Count\": \"2\"},"
		 " {\"Role\": \"AM\", \"Count\": \"3\", \"StartCount\": \"3\"},"
		 " {\"Role\": \"AR\", \"StartCount\": \"6\"}]", &cfg, &p)) {
		ok(0, "the ECP deployment loads");
		return;
	}
	t = iris_topo_new((struct node *const[]){ &p.nodes[0], &p.nodes[1],
		&p.nodes[2], &p.nodes[3], &p.nodes[4], &p.nodes[5] }, 6,
		field, NULL);
	check_steps(t, &p, "ECP-DM-TEST-0001", "tls ecp mode mirror "
		    "mirror-authorize mirror-namespace ecp-authorize");
	check_steps(t, &p, "ECP-DM-TEST-0002", "tls ecp mode mirror-join "
		    "member-namespace ecp-authorize");
	check_steps(t, &p, "ECP-AM-TEST-0004", "tls ecp mode app-server");
	check_steps(t, &p, "ECP-AR-TEST-0006", "");
	s = render(t, &p, "ECP-AM-TEST-0005", "app-server", &title);
	is_str(title, "Configuring application server on ECP-AM-TEST-0005...",
	       "the step's console line");
	ok(strstr(s, "##class(Config.ECPServers).Create(\"ECP_DM_TEST_0001\"")
	   && strstr(s, "p(\"MirrorConnection\")=1"),
	   "an AM's data server is the DM primary, mirror-aware");
	ok(strstr(s, "p(\"Directory\")=\"/irissys/data/IRIS/mgr/"
		  "iriscluster/\",p(\"Server\")=\"ECP_DM_TEST_0001\""),
	   "its database is the DM's, remote");
	ok(str_ends(s, "write \"ICM-OK app-server\",!\nhalt\n"),
	   "the script ends with the sentinel and halt");
	ok(!strstr(s, "\n#"), "template comments are not sent");
	free(s);
	free(title);
	s = render(t, &p, "ECP-DM-TEST-0002", "mirror-join", &title);
	ok(strstr(s, "##class(SYS.Mirror).JoinMirrorAsFailoverMember("
		  "\"MIRRORDM01\",\"ECP_DM_TEST_0002\",\"IRIS\","
		  "\"ECP-DM-TEST-0001\",2188,.i,.s)") != NULL,
	   "the backup joins through the primary's agent");
	is_str(title, "Adding ECP-DM-TEST-0002 to mirror MIRRORDM01 as "
	       "backup...", "join's console line");
	free(s);
	free(title);
	s = render(t, &p, "ECP-DM-TEST-0001", "mirror", &title);
	ok(strstr(s, "i(\"ArbiterNode\")=\"ECP-AR-TEST-0006|2188\"") != NULL,
	   "the mirror has the arbiter");
	free(s);
	free(title);
	s = render(t, &p, "ECP-DM-TEST-0001", "ecp-authorize", &title);
	ok(strstr(s, "AddAuthorizedCN(\"CN=ECP-AM-TEST-0003,OU=icm,"
		  "O=InterSystems\")") &&
	   strstr(s, "CN=ECP-AM-TEST-0005") &&
	   strstr(s, "CN=ECP-AM-TEST-0004") < strstr(s, "CN=ECP-AM-TEST-0005"),
	   "the DM authorizes each AM, in order");
	free(s);
	free(title);
	s = render(t, &p, "ECP-DM-TEST-0001", "mode", &title);
	ok(strstr(s, "=\"TEST \"\"x\"\"\"") != NULL,
	   "a value's quotes are doubled");
	free(s);
	free(title);
	iris_topo_free(t);
	plan_release(&p);
	config_release(&cfg);
}

static void sharded(void)
{
	struct config cfg;
	struct plan p;
	struct node *v[8];
	struct iris_topo *t;
	char *s, *title;
	size_t i;

	if (load("{" AWS ", \"Label\": \"SHARDING\", \"Tag\": \"TEST\"}",
		 "[{\"Role\": \"DM\", \"Namespace\": \"master\"},"
		 " {\"Role\": \"DS\", \"Count\": \"4\", \"StartCount\": \"2\","
		 "  \"Namespace\": \"shard\"},"
		 " {\"Role\": \"QS\", \"Count\": \"3\", \"StartCount\": \"6\"}]",
		 &cfg, &p) || p.n != 8) {
		ok(0, "the sharded deployment loads");
		return;
	}
	for (i = 0; i < p.n; i++)
		v[i] = &p.nodes[i];
	t = iris_topo_new(v, p.n, field, NULL);
	check_steps(t, &p, "SHARDING-DM-TEST-0001",
		    "tls ecp sharding namespace assign");
	check_steps(t, &p, "SHARDING-DS-TEST-0003",
		    "tls ecp sharding namespace");
	check_steps(t, &p, "SHARDING-QS-TEST-0007",
		    "tls ecp sharding query-shard");
	s = render(t, &p, "SHARDING-DM-TEST-0001", "assign", &title);
	ok(strstr(s, "AssignShard(\"MASTER\",\"SHARDING-DS-TEST-0002\",1972,"
		  "\"SHARD\")") &&
	   strstr(s, "AssignShard(\"MASTER\",\"SHARDING-DS-TEST-0005\",1972,"
		  "\"SHARD\")") &&
	   strstr(s, "\"SHARDING-DS-TEST-0002\"") <
	   strstr(s, "\"SHARDING-DS-TEST-0005\""),
	   "the master assigns every data server in order");
	ok(strstr(s, "AssignShard(\"MASTER\",\"SHARDING-QS-TEST-0006\",1972,"
		  "\"IRISCLUSTER\",1)") &&
	   strstr(s, "\"SHARDING-QS-TEST-0007\",1972,\"IRISCLUSTER\",2)") &&
	   strstr(s, "\"SHARDING-QS-TEST-0008\",1972,\"IRISCLUSTER\",3)"),
	   "query shards go round-robin to the data servers' shards");
	ok(strstr(s, "VerifyShards(\"MASTER\")") >
	   strstr(s, "SHARDING-QS-TEST-0008"), "then verifies");
	free(s);
	free(title);
	s = render(t, &p, "SHARDING-QS-TEST-0007", "query-shard", &title);
	ok(strstr(s, "p(\"Address\")=\"SHARDING-DS-TEST-0003\"") &&
	   strstr(s, "/irissys/data/IRIS/mgr/shard/"),
	   "a query shard reads its data server's shard database");
	free(s);
	free(title);
	iris_topo_free(t);
	plan_release(&p);
	config_release(&cfg);
}

static void node_level(void)
{
	struct config cfg;
	struct plan p;
	struct node *v[8];
	struct iris_topo *t;
	char *s, *title;
	size_t i;

	if (load("{" AWS ", \"Label\": \"N\", \"Tag\": \"T\"}",
		 "[{\"Role\": \"DATA\", \"Count\": \"3\"},"
		 " {\"Role\": \"COMPUTE\", \"Count\": \"2\", \"StartCount\": "
		 "\"4\"}]", &cfg, &p) || p.n != 5) {
		ok(0, "the node-level deployment loads");
		return;
	}
	for (i = 0; i < p.n; i++)
		v[i] = &p.nodes[i];
	t = iris_topo_new(v, p.n, field, NULL);
	check_steps(t, &p, "N-DATA-T-0001", "tls ecp cluster");
	check_steps(t, &p, "N-DATA-T-0002", "tls ecp data-node");
	check_steps(t, &p, "N-COMPUTE-T-0005",
		    "tls ecp compute-node");
	s = render(t, &p, "N-COMPUTE-T-0004", "compute-node", &title);
	ok(strstr(s, "AttachAsComputeNode(\"IRIS://N-DATA-T-0001:1972/"
		  "IRISCLUSTER\",\"N-COMPUTE-T-0004\")") != NULL,
	   "a compute node attaches through node 1");
	free(s);
	free(title);
	iris_topo_free(t);
	plan_release(&p);
	config_release(&cfg);
}

static void gateway(void)
{
	struct config cfg;
	struct plan p;
	struct node *v[8];
	struct iris_topo *t;
	struct buf b;
	size_t i;

	if (load("{" AWS ", \"Label\": \"G\", \"Tag\": \"T\", "
		 "\"Mirror\": \"true\"}",
		 "[{\"Role\": \"DM\", \"Count\": \"2\"},"
		 " {\"Role\": \"WS\", \"Count\": \"2\", \"StartCount\": "
		 "\"3\", \"ApplicationPath\": \"/app\", "
		 "\"AlternativeServers\": \"FailOver\"}]", &cfg, &p) ||
	    p.n != 4) {
		ok(0, "the gateway deployment loads");
		return;
	}
	for (i = 0; i < p.n; i++)
		v[i] = &p.nodes[i];
	t = iris_topo_new(v, p.n, field, NULL);
	buf_init(&b, BUF_CAP_CONFIG);
	ok(!iris_csp_ini(t, &p.nodes[3], "pw\"1", "/d/tls", &b, NULL) && b.data,
	   "CSP.ini of the second WS");
	ok(b.data && strstr(b.data, "[SYSTEM_INDEX]\nG_DM_T_0001=Enabled\n["),
	   "a mirrored DM is served through its primary only");
	ok(b.data && strstr(b.data, "Password=pw\"1\n") &&
	   strstr(b.data, "Mirror_Aware=1\n") &&
	   strstr(b.data, "SSLCC_CA_Certificate_File=/d/tls/CAFile.pem\n"),
	   "CSPSystem's password, mirror-aware, TLS files");
	ok(b.data && strstr(b.data, "[APP_PATH:/app]\nDefault_Server=G_DM_T_0001"
			    "\nAlternative_Servers=FailOver\n"),
	   "the application path with AlternativeServers");
	buf_release(&b);
	buf_init(&b, BUF_CAP_CONFIG);
	ok(iris_csp_ini(t, &p.nodes[2], "two\nlines", "/d", &b, NULL) == -1,
	   "a password with a line break is refused");
	buf_release(&b);
	iris_topo_free(t);
	plan_release(&p);
	config_release(&cfg);
}

/* A DR async in the DM mirror (MirrorMap primary,backup,async). */
static void async_member(void)
{
	struct config cfg;
	struct plan p;
	struct node *v[4];
	struct iris_topo *t;
	char *s, *title;
	size_t i;

	if (load("{" AWS ", \"Label\": \"A\", \"Tag\": \"T\", "
		 "\"Mirror\": \"true\"}",
		 "[{\"Role\": \"DM\", \"Count\": \"3\", \"MirrorMap\": "
		 "\"primary,backup,async\"}]", &cfg, &p) || p.n != 3) {
		ok(0, "the deployment with an async loads");
		return;
	}
	for (i = 0; i < p.n; i++)
		v[i] = &p.nodes[i];
	t = iris_topo_new(v, p.n, field, NULL);
	check_steps(t, &p, "A-DM-T-0003",
		    "tls ecp mirror-join member-namespace");
	s = render(t, &p, "A-DM-T-0003", "mirror-join", &title);
	ok(strstr(s, "##class(SYS.Mirror).JoinMirrorAsAsyncMember("
		  "\"MIRRORDM01\",\"A_DM_T_0003\",\"IRIS\",\"A-DM-T-0001\","
		  "2188,0,.i,.s)") != NULL,
	   "the async joins as a DR async through the primary");
	is_str(title, "Adding A-DM-T-0003 to mirror MIRRORDM01 as async...",
	       "its console line");
	free(s);
	free(title);
	iris_topo_free(t);
	plan_release(&p);
	config_release(&cfg);
}

/* ISCLicense keys: the license server (the DM primary) reads its key's
 * directory; every node with a key uses that server; the arbiter and
 * nodes given no key get no license step. */
static void licensed(void)
{
	struct config cfg;
	struct plan p;
	struct node *v[8];
	struct iris_topo *t;
	char *s, *title;
	size_t i;

	if (load("{" AWS ", \"Label\": \"ECP\", \"Tag\": \"TEST\", "
		 "\"Mirror\": \"true\"}",
		 "[{\"Role\": \"DM\", \"Count\": \"2\", "
		 "\"ISCLicense\": \"/License/master/license.key\"},"
		 " {\"Role\": \"AM\", \"Count\": \"2\", \"StartCount\": \"3\","
		 "  \"ISCLicense\": \"/License/isc1.key,/License/isc2.key\"},"
		 " {\"Role\": \"AM\", \"StartCount\": \"5\"},"
		 " {\"Role\": \"AR\", \"StartCount\": \"6\", "
		 "\"ISCLicense\": \"/License/ar.key\"}]", &cfg, &p) ||
	    p.n != 6) {
		ok(0, "the licensed ECP deployment loads");
		return;
	}
	for (i = 0; i < p.n; i++)
		v[i] = &p.nodes[i];
	t = iris_topo_new(v, p.n, field, NULL);
	check_steps(t, &p, "ECP-DM-TEST-0001", "tls ecp license mirror "
		    "mirror-authorize mirror-namespace ecp-authorize");
	check_steps(t, &p, "ECP-AM-TEST-0004", "tls ecp license app-server");
	check_steps(t, &p, "ECP-AM-TEST-0005", "tls ecp app-server");
	check_steps(t, &p, "ECP-AR-TEST-0006", "");
	s = render(t, &p, "ECP-DM-TEST-0001", "license", &title);
	ok(strstr(s, "p(\"Address\")=\"ECP-DM-TEST-0001\",p(\"Port\")=4002,"
		  "p(\"KeyDirectory\")=\"/irissys/data/icm/license\"") != NULL,
	   "the license server reads the DM's ISCLicense key's directory");
	is_str(title, "Acquiring license on ECP-DM-TEST-0001...",
	       "ICM's console line");
	free(s);
	free(title);
	s = render(t, &p, "ECP-AM-TEST-0003", "license", &title);
	ok(strstr(s, "p(\"Address\")=\"ECP-DM-TEST-0001\",p(\"Port\")=4002,"
		  "p(\"KeyDirectory\")=\"\"") &&
	   strstr(s, "$SYSTEM.License.Upgrade()"),
	   "an AM uses the DM's server and activates its own key");
	free(s);
	free(title);
	iris_topo_free(t);
	plan_release(&p);
	config_release(&cfg);
}

/* ------------------------------------------------ hostile values */

/* Fields a test sets for one node, over the node's own. */
struct override {
	const char *node, *field, *value;
};

/* field() with the overrides of arg (a list ended by a NULL node). */
static const char *hostile_field(const void *arg, const struct node *n,
				 const char *name)
{
	const struct override *o;

	for (o = arg; o && o->node; o++)
		if ((!strcmp(o->node, "*") || !strcmp(o->node, n->name)) &&
		    !strcmp(o->field, name))
			return o->value;
	return node_field(n, name);
}

/*
 * Whether every line of an ObjectScript script ends outside a string
 * literal ("" inside one is a quote) and nothing but literals holds $zf,
 * a // or ; comment: NULL, or what is wrong.
 */
static const char *cos_scan(const char *s)
{
	bool lit = false;

	for (; *s; s++) {
		if (*s == '"') {
			if (lit && s[1] == '"')
				s++;
			else
				lit = !lit;
		} else if (*s == '\n' && lit) {
			return "a line ends inside a string literal";
		} else if (!lit && !strncasecmp(s, "$zf", 3)) {
			return "$zf outside a string literal";
		} else if (!lit && (!strncmp(s, "//", 2) || *s == ';')) {
			return "a comment outside a string literal";
		}
	}
	return lit ? "the script ends inside a string literal" : NULL;
}

/* Renders every step of every node; each must render (rendered) or not
 * (bad) and scan clean.  The count of scripts rendered. */
static size_t render_all(const struct iris_topo *t, const struct plan *p,
			 struct buf *all, int *failed)
{
	size_t i, k, n = 0;

	*failed = 0;
	for (i = 0; i < p->n; i++)
		for (k = 0; k < iris_steps_count(); k++) {
			struct buf b;
			char *title = NULL;
			const char *why;

			if (!iris_step_applies(t, &p->nodes[i], k))
				continue;
			buf_init(&b, BUF_CAP_CONFIG);
			if (iris_step_render(t, &p->nodes[i], k, &b, &title)) {
				(*failed)++;
			} else {
				n++;
				why = cos_scan(b.data ? b.data : "");
				if (why)
					printf("# %s %s: %s\n", p->nodes[i].name,
					       iris_step_id(k), why);
				if (why)
					(*failed)++;
				if (buf_addf(all, "%s", b.data ? b.data : ""))
					(*failed)++;
			}
			free(title);
			buf_release(&b);
		}
	return n;
}

#define PWN "10.0.0.2\",1972,\"IRISCLUSTER\") do $zf(-1,\"touch " \
	"/tmp/pwned\") //"

/* The issue's address, and quotes, parentheses, $zf, // and ; in every
 * value a step takes from the configuration: each stays inside its
 * literal, its quotes doubled. */
static void hostile_strings(void)
{
	struct config cfg;
	struct plan p;
	struct node *v[16];
	struct iris_topo *t;
	struct buf all;
	size_t i, n;
	int failed;
	static const struct override o[] = {
		{ "H-DS-T-0003", "PrivateIPAddress", PWN },
		{ "H-DS-T-0004", "PrivateIPAddress",
		  "x\") do $zf(-1,\"id\") ;" },
		{ "H-DM-T-0001", "PrivateIPAddress", "dm\"),1) do $zf(-1,\"a\")" },
		{ "H-DM-T-0002", "IPAddress", "b\" do $zf(-1,\"b\") //" },
		{ "H-QS-T-0007", "DataMountPoint", "/d\") do $zf(-1,\"c\") //" },
		{ "H-DM-T-0001", "SystemMode", "LIVE\" do $zf(-1,\"m\") \"" },
		{ "H-DM-T-0001", "LicenseDir", "/L/x\";do $zf(-1,\"k\")" },
		{ "H-AR-T-0009", "PrivateIPAddress", "ar|\") do $zf(-1,\"r\")" },
		/* the configuration layer refuses it at load (rule
		 * namespace); the renderer must be safe on its own */
		{ "*", "Namespace", "n\") do $zf(1)" },
		{ NULL, NULL, NULL },
	};

	if (load("{" AWS ", \"Label\": \"H\", \"Tag\": \"T\", "
		 "\"Mirror\": \"true\"}",
		 "[{\"Role\": \"DM\", \"Count\": \"2\", \"LicenseDir\": \"/L\"},"
		 " {\"Role\": \"DS\", \"Count\": \"4\"},"
		 " {\"Role\": \"QS\", \"Count\": \"2\"},"
		 " {\"Role\": \"AR\"}, {\"Role\": \"AM\"}]", &cfg, &p) ||
	    p.n != 10) {
		ok(0, "the hostile deployment loads");
		return;
	}
	for (i = 0; i < p.n; i++)
		v[i] = &p.nodes[i];
	/* MachineName and MirrorSetName come from the plan */
	free(p.nodes[9].name);
	p.nodes[9].name = xstrdup("am\") do $zf(-1,\"n\") //");
	free(p.nodes[2].mirror_set);
	p.nodes[2].mirror_set = xstrdup("M\") do $zf(-1,\"s\")");
	free(p.nodes[3].mirror_set);
	p.nodes[3].mirror_set = xstrdup("M\") do $zf(-1,\"s\")");
	t = iris_topo_new(v, p.n, hostile_field, o);
	buf_init(&all, BUF_CAP_CONFIG);
	n = render_all(t, &p, &all, &failed);
	ok(n > 20 && !failed, "every step renders (%zu) and every $zf, // "
	   "and ; stays inside a string literal", n);
	ok(all.data && strstr(all.data, "AssignShard(\"NDOZF1\","
			      "\"10.0.0.2\"\",1972,\"\"IRISCLUSTER\"\") do "
			      "$zf(-1,\"\"touch /tmp/pwned\"\") //\",1972,"),
	   "the issue's DS address is one literal, its quotes doubled");
	ok(all.data && strstr(all.data, ",,\"M\"\") do $zf(-1,\"\"s\"\")\","
			      "\"x\"\") do $zf(-1,\"\"id\"\") ;\",1972)"),
	   "a mirrored shard's set and backup address too");
	ok(all.data && strstr(all.data, "AddAuthorizedCN(\"CN=am\"\") do "
			      "$zf(-1,\"\"n\"\") //,OU=icm,O=InterSystems\")"),
	   "an AM's MachineName in its certificate subject too");
	ok(all.data && strstr(all.data, "p(\"SystemMode\")=\"LIVE\"\" do "
			      "$zf(-1,\"\"m\"\") \"\"\""),
	   "SystemMode too");
	buf_release(&all);
	iris_topo_free(t);
	plan_release(&p);
	config_release(&cfg);
}

/* Renders step of node with the overrides; its error, or NULL. */
static char *render_error(const struct plan *p, struct node **v,
			  const struct override *o, const char *node,
			  const char *step)
{
	struct iris_topo *t = iris_topo_new(v, p->n, hostile_field, o);
	char *err = NULL, *title = NULL;
	struct buf b;
	size_t i, k;

	buf_init(&b, BUF_CAP_CONFIG);
	for (i = 0; i < p->n; i++)
		for (k = 0; k < iris_steps_count(); k++)
			if (!strcmp(p->nodes[i].name, node) &&
			    !strcmp(iris_step_id(k), step)) {
				if (iris_step_render(t, &p->nodes[i], k, &b,
						     &title))
					err = xstrdup(report_main_error());
				free(title);
				title = NULL;
			}
	buf_release(&b);
	iris_topo_free(t);
	return err;
}

/* Control characters, and ports that are not numbers, are refused: the
 * message names the node, the step and the field, not the value. */
static void hostile_refused(void)
{
	static const struct {
		const char *node, *field, *value, *step, *want;
	} c[] = {
		{ "R-DS-T-0002", "PrivateIPAddress", "10.0.0.2\n do $zf(-1)",
		  "assign", "R-DM-T-0001, IRIS configuration step assign: "
		  "PrivateIPAddress of R-DS-T-0002 holds a control character "
		  "(0x0a at byte 9)" },
		{ "R-DS-T-0002", "PrivateIPAddress", "10.0.0.2\r", "assign",
		  "(0x0d at byte 9)" },
		{ "R-DS-T-0002", "PrivateIPAddress", "a\tb", "assign",
		  "(0x09 at byte 2)" },
		{ "R-DM-T-0001", "SystemMode", "LIVE\x1b[2J", "mode",
		  "R-DM-T-0001, IRIS configuration step mode: SystemMode "
		  "holds a control character (0x1b at byte 5)" },
		{ "R-DM-T-0001", "DataMountPoint", "/d\x7f", "namespace",
		  "DataMountPoint holds a control character (0x7f" },
		{ "R-DS-T-0002", "SuperServerPort", "1972,\"X\") do $zf(-1,"
		  "\"x\") //", "assign", "SuperServerPort of R-DS-T-0002 is "
		  "not a number from 1 to 65535" },
		{ "R-DS-T-0002", "SuperServerPort", "70000", "query-shard",
		  "R-QS-T-0004, IRIS configuration step query-shard: "
		  "SuperServerPort of R-DS-T-0002 is not a number" },
	};
	struct config cfg;
	struct plan p;
	struct node *v[8];
	size_t i;

	if (load("{" AWS ", \"Label\": \"R\", \"Tag\": \"T\"}",
		 "[{\"Role\": \"DM\"}, {\"Role\": \"DS\", \"Count\": \"2\"},"
		 " {\"Role\": \"QS\"}]", &cfg, &p) || p.n != 4) {
		ok(0, "the deployment loads");
		return;
	}
	for (i = 0; i < p.n; i++)
		v[i] = &p.nodes[i];
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct override o[] = { { c[i].node, c[i].field, c[i].value },
					{ NULL, NULL, NULL } };
		const char *node = !strcmp(c[i].step, "assign") ?
			"R-DM-T-0001" : !strcmp(c[i].step, "query-shard") ?
			"R-QS-T-0004" : c[i].node;
		char *err = render_error(&p, v, o, node, c[i].step);

		ok(err && strstr(err, c[i].want) && !strstr(err, c[i].value),
		   "%s of %s in step %s: refused, the value not shown (%s)",
		   c[i].field, c[i].node, c[i].step, err ? err : "rendered");
		free(err);
	}
	plan_release(&p);
	config_release(&cfg);
}

/* CSP.ini is read line by line: no value may bring a line of its own. */
static void hostile_gateway(void)
{
	static const struct {
		const char *node, *field, *value, *want;
	} c[] = {
		{ "W-DM-T-0001", "PrivateIPAddress",
		  "10.0.0.1\n[SYSTEM]\nSystem_Manager=*", "W-WS-T-0002, "
		  "CSP.ini: PrivateIPAddress of W-DM-T-0001 holds a control "
		  "character (0x0a at byte 9)" },
		{ "W-DM-T-0001", "SuperServerPort", "1972\nUsername=x",
		  "SuperServerPort of W-DM-T-0001 is not a number" },
		{ "W-WS-T-0002", "AlternativeServers", "FailOver\n[X]",
		  "W-WS-T-0002, CSP.ini: AlternativeServers holds a control "
		  "character" },
		{ "W-WS-T-0002", "ApplicationPath", "/a\r\n[APP_PATH:/]",
		  "ApplicationPath holds a control character (0x0d" },
	};
	struct config cfg;
	struct plan p;
	struct node *v[2];
	size_t i;

	if (load("{" AWS ", \"Label\": \"W\", \"Tag\": \"T\"}",
		 "[{\"Role\": \"DM\"}, {\"Role\": \"WS\", \"ApplicationPath\": "
		 "\"/a\"}]", &cfg, &p) || p.n != 2) {
		ok(0, "the deployment loads");
		return;
	}
	v[0] = &p.nodes[0];
	v[1] = &p.nodes[1];
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		struct override o[] = { { c[i].node, c[i].field, c[i].value },
					{ NULL, NULL, NULL } };
		struct iris_topo *t = iris_topo_new(v, 2, hostile_field, o);
		struct buf b;
		int rc;

		buf_init(&b, BUF_CAP_CONFIG);
		rc = iris_csp_ini(t, &p.nodes[1], "pw", "/d", &b, NULL);
		ok(rc == -1 && strstr(report_main_error(), c[i].want),
		   "CSP.ini: %s of %s with a line break is refused (%s)",
		   c[i].field, c[i].node, rc ? report_main_error() : "written");
		buf_release(&b);
		iris_topo_free(t);
	}
	plan_release(&p);
	config_release(&cfg);
}

int main(void)
{
	hostile_strings();
	hostile_refused();
	hostile_gateway();
	ecp();
	licensed();
	async_member();
	gateway();
	sharded();
	node_level();
	return done_testing();
}
