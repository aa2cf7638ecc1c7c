/*
 * t-resize.c: reprovision with new volume sizes (provider/resize.h): the
 * instances.json a provision wrote, the definitions edited as the guide
 * says, and what provision would grow or refuse.
 */
#include "../../src/icm.h"
#include "tap.h"
#include "../../src/config/config.h"
#include "../../src/config/instances.h"
#include "../../src/config/plan.h"
#include "../../src/provider/resize.h"
#include "../../src/state/log.h"
#include "../../src/util/fs.h"
#include "../../src/util/str.h"
#include "testutil.h"

static const char aws_defaults[] =
	"{\"Provider\": \"AWS\", \"Label\": \"ECP\", \"Tag\": \"TEST\",\n"
	" \"Region\": \"us-east-1\", \"Zone\": \"us-east-1a\",\n"
	" \"AMI\": \"ami-1\", \"InstanceType\": \"m4.large\",\n"
	" \"Credentials\": \"/c\", \"SSHUser\": \"ubuntu\",\n"
	" \"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\",\n"
	" \"DockerImage\": \"intersystems/iris:1\"}\n";
static const char pre_defaults[] =
	"{\"Provider\": \"PreExisting\", \"Label\": \"P\", \"Tag\": \"T\",\n"
	" \"SSHUser\": \"u\", \"SSHPrivateKey\": \"/k\",\n"
	" \"DockerImage\": \"intersystems/iris:1\"}\n";

static char dir[] = "/tmp/t-resize-XXXXXX";

/* The plan of defaults + definitions: a DM definition and an AR one, each
 * with the extra fields given (DM0 and AR0: the sizes first provisioned). */
#define DM0 ", \"DataVolumeSize\": \"15\""
#define AR0 ", \"OSVolumeSize\": \"5\""

static int plan_of(const char *defaults, const char *dm_extra,
		   const char *ar_extra, struct plan *p)
{
	char *dp = xasprintf("%s/defaults.json", dir);
	char *fp = xasprintf("%s/definitions.json", dir);
	char *defs = xasprintf(
		"[{\"Role\": \"DM\", \"Count\": \"2\"%s},\n"
		" {\"Role\": \"AR\", \"Count\": \"1\"%s%s}]\n",
		dm_extra, ar_extra,
		strstr(defaults, "PreExisting") ?
		", \"IPAddress\": \"198.18.0.13\"" : "");
	struct config cfg;
	int r;

	config_init(&cfg);
	plan_init(p);
	r = fs_write_atomic(dp, defaults, strlen(defaults), 0600) ||
		fs_write_atomic(fp, defs, strlen(defs), 0600) ||
		config_load(&cfg, dp, fp) || plan_build(&cfg, p) ? -1 : 0;
	if (r)
		printf("# %s\n", report_main_error());
	config_release(&cfg);
	free(defs);
	free(fp);
	free(dp);
	return r;
}

/* Provisioned with (dm0, ar0), then planned (dm1, ar1): the growths. */
static int compare(const char *defaults, const char *dm0, const char *ar0,
		   const char *dm1, const char *ar1, struct volume_growths *g,
		   struct plan *p)
{
	char *ip = xasprintf("%s/instances.json", dir);
	struct provider_ctx pc = { .state_dir = dir, .instances_path = ip };
	struct plan was;
	int r = -1;

	if (plan_of(defaults, dm0, ar0, &was) ||
	    instances_write(ip, &was) || plan_of(defaults, dm1, ar1, p))
		goto out;
	r = volume_growths_find(&pc, p, g);
out:
	plan_release(&was);
	free(ip);
	return r;
}

static const char *asked;

static bool say_yes(const char *question)
{
	asked = question;
	return true;
}

static bool say_no(const char *question)
{
	return false;
}

int main(void)
{
	struct volume_growths g;
	struct provider_ctx pc = { .state_dir = dir };
	struct plan p;
	char *ip;
	int r;

	ok(mkdtemp(dir) != NULL, "temp dir");
	ip = xasprintf("%s/instances.json", dir);
	pc.instances_path = ip;

	/* the first provision: no instances.json, nothing to compare */
	ok(!plan_of(aws_defaults, DM0, AR0, &p), "plan");
	is_int(volume_growths_find(&pc, &p, &g), 0, "no instances.json: 0");
	is_int((long)g.n, 0, "... nothing to grow");
	plan_release(&p);

	is_int(compare(aws_defaults, DM0, AR0, DM0, AR0, &g, &p), 0,
	       "same sizes: 0");
	is_int((long)g.n, 0, "... nothing to grow");
	plan_release(&p);

	r = compare(aws_defaults, DM0, AR0, ", \"DataVolumeSize\": \"20\"",
		    ", \"OSVolumeSize\": \"8\"", &g, &p);
	is_int(r, 0, "DM data 15 -> 20, AR OS 5 -> 8: 0");
	is_int((long)g.n, 3, "... three volumes to grow");
	if (g.n == 3) {
		is_str(g.v[0].node->name, "ECP-DM-TEST-0001", "first: DM 1");
		is_str(g.v[0].field, "DataVolumeSize", "... its data volume");
		is_int(g.v[0].from, 15, "... from 15");
		is_int(g.v[0].to, 20, "... to 20");
		is_str(g.v[1].node->name, "ECP-DM-TEST-0002", "then DM 2");
		is_str(g.v[2].volume, "OS", "then the AR's OS volume");
		is_int(g.v[2].to, 8, "... to 8");
		ok(volume_growth_of(&g, g.v[2].node, "OS") == &g.v[2],
		   "volume_growth_of finds it");
		ok(!volume_growth_of(&g, g.v[2].node, "Data"),
		   "... and no data volume of the AR");
	}
	is_int(volume_growths_confirm(&g, true, NULL), 0, "-force: confirmed");
	ok(volume_growths_confirm(&g, false, say_yes) == 0 && asked,
	   "confirmed by ICM's confirmation: asked '%s'",
	   asked ? asked : "");
	r = volume_growths_confirm(&g, false, say_no);
	is_int(r, -1, "not confirmed, no -force: refused");
	ok(strstr(report_main_error(), "not confirmed; nothing changed"),
	   "... saying so: %s", report_main_error());
	volume_growths_release(&g);
	plan_release(&p);

	r = compare(aws_defaults, DM0, AR0, ", \"DataVolumeSize\": \"10\"",
		    AR0, &g, &p);
	is_int(r, -1, "a smaller DataVolumeSize: -1");
	ok(strstr(report_main_error(), "ECP-DM-TEST-0002: DataVolumeSize 15 -> "
		  "10: a volume cannot shrink"),
	   "... naming node and field: %s", report_main_error());
	is_int((long)g.n, 0, "... nothing to grow");
	plan_release(&p);

	r = compare(aws_defaults, DM0, AR0, DM0 ", \"WIJDeviceName\": \"xvdh\"",
		    AR0, &g, &p);
	is_int(r, -1, "another WIJDeviceName: -1");
	ok(strstr(report_main_error(), "WIJDeviceName '/dev/xvde' -> "
		  "'/dev/xvdh': a volume cannot move"), "... %s",
	   report_main_error());
	plan_release(&p);

	r = compare(aws_defaults, DM0, AR0, DM0 ", \"DockerDeviceName\": "
		    "\"xvdz\", \"DockerVolumeSize\": \"30\"", AR0, &g, &p);
	is_int(r, -1, "a new Docker volume: -1");
	ok(strstr(report_main_error(), "DockerVolumeSize: the Docker volume "
		  "would be added"), "... %s", report_main_error());
	plan_release(&p);

	r = compare(aws_defaults, DM0, AR0, DM0 ", \"Journal1DeviceName\": "
		    "\"local\"", AR0, &g, &p);
	is_int(r, -1, "a volume made 'local': -1");
	ok(strstr(report_main_error(), "Journal1DeviceName: the Journal1 "
		  "volume would be removed"), "... %s", report_main_error());
	plan_release(&p);

	/* an instances.json edited by hand: named */
	{
		char *text = slurp(ip), *at;

		ok(plan_of(aws_defaults, DM0, AR0, &p) == 0, "plan");
		at = text ? strstr(text, "\"OSVolumeSize\":\t\"32\"") : NULL;
		ok(at != NULL, "instances.json has the DMs' OSVolumeSize 32");
		if (at)
			memcpy(at + strlen("\"OSVolumeSize\":\t\""), "x1", 2);
		ok(text && !fs_write_atomic(ip, text, strlen(text), 0600),
		   "... made 'x1'");
		is_int(volume_growths_find(&pc, &p, &g), -1, "... -1");
		/* refused where instances.json is read, with its place */
		ok(strstr(report_main_error(), "instances.json:19:19: field "
			  "'OSVolumeSize': expected a whole number of at least "
			  "1, got 'x1'"), "... naming file, place and field: "
		   "%s", report_main_error());
		plan_release(&p);
		free(text);
	}

	/* PreExisting: IRIS volumes only (the file system follows the
	 * device); the OS volume is not icm's */
	r = compare(pre_defaults, DM0, AR0, ", \"DataVolumeSize\": \"20\"",
		    ", \"OSVolumeSize\": \"50\"", &g, &p);
	is_int(r, 0, "PreExisting DM data 15 -> 20, AR OS 5 -> 50: 0");
	is_int((long)g.n, 2, "... two volumes to grow");
	if (g.n == 2)
		ok(!strcmp(g.v[0].field, "DataVolumeSize") &&
		   !strcmp(g.v[1].field, "DataVolumeSize"),
		   "... the DMs' data volumes, not the AR's OS volume");
	volume_growths_release(&g);
	plan_release(&p);

	ok(volume_is_device("xvdd") && !volume_is_device("existing") &&
	   !volume_is_device("create") && !volume_is_device("") &&
	   !volume_is_device(NULL), "volume_is_device");
	{
		char *a = volume_device_path("xvdd");
		char *b = volume_device_path("/dev/nvme1n1");

		is_str(a, "/dev/xvdd", "volume_device_path(xvdd)");
		is_str(b, "/dev/nvme1n1", "... a path as it is");
		free(a);
		free(b);
	}
	free(ip);
	return done_testing();
}
