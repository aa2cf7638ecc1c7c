/*
 * t-azure-parts.c: the Azure provider's pieces that need no server
 * (provider/azure/azure.h):
 * - validate (provider_azure.validate): the sample as given passes; an
 *   SSHPassword Azure refuses (too short, two kinds of characters, too
 *   long) is named without the password; a machine name Azure refuses
 *   (Label with '_'); a Zone that is not 1-3; the disk SKU from
 *   AccountTier/AccountReplicationType (Premium_ZRS passes, Standard_ZRS and
 *   GRS refused with what to set), a <Volume>VolumeType that is no SKU;
 *   VirtualNetworkName without ResourceGroupName or SubnetName; a CustomImage
 *   that is no image ID; net_subnet_cidr refused;
 * - api-versions by resource type; az_ours() on tags; a Location as the
 *   portal writes it ("Central US") as ARM names it;
 * - str_list_entry() (util/str.h), which the provider's lists use.
 */
#include "icm.h"
#include "config/config.h"
#include "config/plan.h"
#include "provider/azure/azure.h"
#include "util/report.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"

static const char *const base =
	"{\"Provider\": \"Azure\", \"Label\": \"Sample\", \"Tag\": \"TEST\", "
	"\"Location\": \"eastus\", \"Zone\": \"1\", \"PublisherName\": "
	"\"Canonical\", \"Offer\": \"0001-com-ubuntu-server-jammy\", \"Sku\": "
	"\"22_04-lts\", \"Size\": \"Standard_DS2_v2\", \"SubscriptionId\": "
	"\"00000000-0000-0000-0000-000000000000\", \"TenantId\": "
	"\"00000000-0000-0000-0000-000000000000\", \"ClientId\": "
	"\"00000000-0000-0000-0000-000000000000\", \"ClientSecret\": \"secret-1\", "
	"\"SSHUser\": \"sample\", \"SSHPassword\": \"Sample-Passw0rd\", "
	"\"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\", "
	"\"DockerImage\": \"intersystems/iris:latest-em\", \"DataVolumeSize\": "
	"\"10\"}";

/* provider_azure.validate on base with the fields of extra (", \"F\":
 * \"V\"" ..., replacing base's) and defs (NULL: one DATA definition); the
 * error line it reported, or "" (passed). */
static char *validate(const char *dir, const char *extra, const char *defs)
{
	char *dp = xasprintf("%s/defaults.json", dir);
	char *fp = xasprintf("%s/definitions.json", dir);
	char *x = xasprintf("{\"_\": 0%s}", extra);
	cJSON *b = cJSON_Parse(base), *e = cJSON_Parse(x), *it;
	char *d;
	struct provider_ctx pc;
	struct config cfg;
	struct plan p;
	char *out;
	int r;

	if (!b || !e)
		abort();
	cJSON_ArrayForEach(it, e)
		if (strcmp(it->string, "_")) {
			cJSON_DeleteItemFromObjectCaseSensitive(b, it->string);
			cJSON_AddItemToObject(b, it->string,
					      cJSON_Duplicate(it, true));
		}
	d = cJSON_Print(b);
	cJSON_Delete(b);
	cJSON_Delete(e);
	free(x);
	config_init(&cfg);
	plan_init(&p);
	memset(&pc, 0, sizeof(pc));
	pc.cfg = &cfg;
	if (write_text(dp, d) || write_text(fp, defs ? defs :
					     "[{\"Role\": \"DATA\"}]"))
		abort();
	r = config_load(&cfg, dp, fp) || config_validate(&cfg) ||
	    plan_build(&cfg, &p) || provider_azure.validate(&pc, &p);
	out = xstrdup(r ? report_main_error() ?: "(no message)" : "");
	plan_release(&p);
	config_release(&cfg);
	free(dp);
	free(fp);
	cJSON_free(d);
	return out;
}

static void check(const char *dir, const char *extra, const char *defs,
		  const char *want, const char *what)
{
	char *got = validate(dir, extra, defs);

	if (!*want)
		is_str(got, "", what);
	else if (!ok(strstr(got, want) != NULL, "%s", what))
		printf("#   got: %s\n#   want: %s\n", got, want);
	free(got);
}

static void validation(const char *dir)
{
	char *got;

	check(dir, "", NULL, "", "the sample's fields pass");
	check(dir, ", \"SSHPassword\": \"Ab1\"", NULL,
	      "SSHPassword does not meet Azure's rule", "a short password");
	got = validate(dir, ", \"SSHPassword\": \"Ab1\"", NULL);
	ok(!strstr(got, "Ab1"), "... not named in the message");
	free(got);
	check(dir, ", \"SSHPassword\": \"abcdefgh12\"", NULL,
	      "6 to 72 characters, with three of", "two kinds of characters");
	check(dir, ", \"SSHPassword\": \"aB1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", NULL,
	      "SSHPassword", "more than 72 characters");
	check(dir, ", \"SSHPassword\": \"aB1-aa\"", NULL, "",
	      "six characters of four kinds pass");
	check(dir, ", \"Label\": \"My_Lab\"", NULL,
	      "an Azure VM name has at most 64 letters, digits and '-'",
	      "a machine name Azure refuses (Label with '_')");
	check(dir, ", \"Zone\": \"us1\"", NULL,
	      "Zone 'us1' is not an Azure availability zone", "a Zone");
	check(dir, ", \"AccountTier\": \"Premium\", \"AccountReplicationType\":"
	      " \"ZRS\"", NULL, "", "Premium_ZRS passes");
	check(dir, ", \"AccountReplicationType\": \"ZRS\"", NULL,
	      "(Standard_ZRS does not exist: StandardSSD_ZRS does); or set OSVolumeType to a SKU",
	      "Standard with ZRS: refused with what to set");
	check(dir, ", \"AccountReplicationType\": \"GRS\"", NULL,
	      "(GRS and RAGRS replicated storage accounts)", "GRS refused");
	check(dir, ", \"AccountReplicationType\": \"GRS\", \"OSVolumeType\": "
	      "\"Premium_LRS\", \"DataVolumeType\": \"Premium_LRS\", "
	      "\"WIJVolumeType\": \"Premium_LRS\", \"Journal1VolumeType\": "
	      "\"Premium_LRS\", \"Journal2VolumeType\": \"Premium_LRS\", "
	      "\"DockerVolumeType\": \"Premium_LRS\"", NULL, "",
	      "... unless every volume names its SKU");
	check(dir, ", \"DataVolumeType\": \"gp3\"", NULL,
	      "DataVolumeType 'gp3' is not a managed disk SKU",
	      "a VolumeType that is no SKU");
	check(dir, ", \"VirtualNetworkName\": \"net\", \"SubnetName\": \"s\"",
	      NULL, "VirtualNetworkName needs ResourceGroupName",
	      "VirtualNetworkName without ResourceGroupName");
	check(dir, ", \"VirtualNetworkName\": \"net\", \"ResourceGroupName\": "
	      "\"rg\"", NULL, "VirtualNetworkName needs SubnetName",
	      "VirtualNetworkName without SubnetName");
	check(dir, ", \"VirtualNetworkName\": \"net\", \"ResourceGroupName\": "
	      "\"rg\", \"SubnetName\": \"s\"", NULL, "",
	      "the user's group, network and subnet pass");
	check(dir, ", \"CustomImage\": \"/subscriptions/x/resourceGroups/g/"
	      "providers/Microsoft.Network/images/i\"", NULL,
	      "is not an image's resource ID", "a CustomImage of another type");
	check(dir, ", \"CustomImage\": \"/subscriptions/x/resourceGroups/g/"
	      "providers/Microsoft.Compute/images/i\"", NULL, "",
	      "a CustomImage ID passes");
	check(dir, ", \"net_subnet_cidr\": \"10.0.0.0/31\"", NULL,
	      "net_subnet_cidr '10.0.0.0/31' is not an IPv4 network",
	      "net_subnet_cidr refused");
	check(dir, ", \"Location\": \"Central US\"", NULL, "",
	      "a Location as the portal shows it (Central US) passes");
	check(dir, ", \"Location\": \"east/us\"", NULL,
	      "Location 'east/us' is not an Azure location", "... east/us not");
	check(dir, ", \"Location\": \"eastus,westus\"",
	      "[{\"Role\": \"DATA\", \"Count\": \"2\", \"LocationMap\": "
	      "\"0,1\", \"ZoneMap\": \"0,0\"}]", "", "two locations pass");
}

static void pieces(void)
{
	struct az z;
	cJSON *o;
	char *e;

	is_str(az_api("/subscriptions/s/resourceGroups/g/providers/"
		      "Microsoft.Compute/virtualMachines/v"), AZ_API_COMPUTE,
	       "api-version: compute");
	is_str(az_api("/subscriptions/s/resourceGroups/g/providers/"
		      "Microsoft.Compute/disks/d"), AZ_API_DISKS,
	       "api-version: disks");
	is_str(az_api("/subscriptions/s/resourceGroups/g/providers/"
		      "Microsoft.Network/virtualNetworks/n"), AZ_API_NETWORK,
	       "api-version: network");
	is_str(az_api("/subscriptions/s/resourceGroups/g"), AZ_API_RESOURCES,
	       "api-version: a group");
	e = az_loc("Central US");
	is_str(e, "centralus", "az_loc: Central US is centralus");
	free(e);
	memset(&z, 0, sizeof(z));
	z.dep = "Sample-TEST";
	o = cJSON_Parse("{\"tags\": {\"icm-deployment\": \"Sample-TEST\", "
			"\"icm-key\": \"vnet/eastus\"}}");
	ok(az_ours(&z, o, "vnet/eastus"), "az_ours: the deployment's, key");
	ok(az_ours(&z, o, NULL), "... any key");
	ok(!az_ours(&z, o, "nsg/eastus"), "... another key: not");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"tags\": {\"icm-deployment\": \"Other-TEST\"}}");
	ok(!az_ours(&z, o, NULL), "... another deployment: not");
	cJSON_Delete(o);
	o = cJSON_Parse("{\"name\": \"x\"}");
	ok(!az_ours(&z, o, NULL), "... untagged: not");
	cJSON_Delete(o);
	e = str_list_entry(" a , b,c ", 1);
	is_str(e, "b", "str_list_entry: trimmed");
	free(e);
	e = str_list_entry("a,b", 2);
	ok(e == NULL, "... past the end: NULL");
	e = str_list_entry(NULL, 0);
	ok(e == NULL, "... of NULL: NULL");
	e = str_list_entry("a,,c", 1);
	is_str(e, "", "... an empty entry");
	free(e);
}

int main(void)
{
	char dir[] = "/tmp/t-azure-parts.XXXXXX";

	if (!mkdtemp(dir))
		return 1;
	validation(dir);
	pieces();
	{
		char *cmd = xasprintf("rm -rf '%s'", dir);

		if (system(cmd))
			printf("# could not remove %s\n", dir);
		free(cmd);
	}
	return done_testing();
}
