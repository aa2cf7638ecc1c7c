/*
 * t-azure-tf.c: azure_terraform_write() and its parts
 * (src/provider/azure/tf.h): the files of the deployment's and each
 * definition's directory; the deployment's Location list (defaults.json's
 * order, then the nodes'; without the configuration the nodes' own
 * order); each machine's location and zone in Locations and Zones; the
 * load balancer's values in its definition's tfvars; HCL escaping; that
 * no secret is written but each is named as left out; and that the
 * templates hold what the provider makes (resources, names, tags with
 * the journal keys, the secrets taken from the environment).
 */
#include "../../src/icm.h"
#include "tap.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/embed/embedded.h"
#include "../../src/provider/azure/tf.h"
#include "../../src/state/log.h"
#include "testutil.h"
#include "../../src/util/str.h"

/* Two locations, westeurope first in defaults.json but the first node's
 * eastus (LocationMap, ZoneMap); zones on DATA only; a definition with a
 * location of its own. */
static const char mr_defaults[] =
	"{\n"
	"  \"Provider\": \"Azure\", \"Label\": \"A\", \"Tag\": \"T\",\n"
	"  \"Location\": \"westeurope,eastus\",\n"
	"  \"PublisherName\": \"Canonical\", \"Offer\": \"ubuntu\",\n"
	"  \"Sku\": \"22_04-lts\", \"Size\": \"Standard_B2s\",\n"
	"  \"SubscriptionId\": \"sub-1\", \"TenantId\": \"ten-1\",\n"
	"  \"ClientId\": \"app-1\", \"ClientSecret\": \"cs-s3cret\",\n"
	"  \"SSHUser\": \"u\", \"SSHPassword\": \"pw-s3cret\",\n"
	"  \"SSHPublicKey\": \"/k.pub\", \"SSHPrivateKey\": \"/k\",\n"
	"  \"DockerImage\": \"intersystems/iris:1\",\n"
	"  \"ISCPassword\": \"isc-s3cret\",\n"
	"  \"net_subnet_cidr\": \"10.9.0.0/24\",\n"
	"  \"AccountTier\": \"Premium\"\n"
	"}\n";
static const char mr_definitions[] =
	"[\n"
	"  {\"Role\": \"DATA\", \"Count\": 3, \"Zone\": \"1,2\",\n"
	"   \"LocationMap\": \"1,0,1\",\n"
	"   \"ZoneMap\": \"1,0,1\", \"DataVolumeType\": \"Premium_LRS\"},\n"
	"  {\"Role\": \"WS\", \"Count\": 0},\n"
	"  {\"Role\": \"COMPUTE\", \"StartCount\": 7,\n"
	"   \"Location\": \"centralus\"}\n"
	"]\n";

/* One location, a load balancer, existing resource group, network and
 * subnet, the managed identity, escaping, secrets. */
static const char lb_defaults[] =
	"{\n"
	"  \"Provider\": \"Azure\", \"Label\": \"L\", \"Tag\": \"B\",\n"
	"  \"Location\": \"westus2\", \"Zone\": \"1,2\",\n"
	"  \"CustomImage\": \"/subscriptions/s/resourceGroups/g/providers/"
	"Microsoft.Compute/images/i\",\n"
	"  \"Size\": \"Standard_B2s\", \"SubscriptionId\": \"sub-1\",\n"
	"  \"TenantId\": \"ten-1\", \"UseMSI\": \"true\", \"SSHUser\": \"u\",\n"
	"  \"SSHPassword\": \"pw-s3cret\", \"SSHPublicKey\": \"/k.pub\",\n"
	"  \"SSHPrivateKey\": \"/k\",\n"
	"  \"DockerImage\": \"intersystems/iris:1\",\n"
	"  \"ResourceGroupName\": \"corp-rg\",\n"
	"  \"VirtualNetworkName\": \"corp-vnet\",\n"
	"  \"SubnetName\": \"corp-sub\",\n"
	"  \"ISCPassword\": \"isc-s3cret\",\n"
	"  \"DockerPassword\": \"dk-s3cret\",\n"
	"  \"SuperServerPort\": 1973\n"
	"}\n";
static const char lb_definitions[] =
	"[\n"
	"  {\"Role\": \"DATA\", \"Count\": 2, \"LoadBalancer\": \"true\",\n"
	"   \"HealthCheckPath\": \"/s/i \\\"q\\\" ${x} %{y}\"}\n"
	"]\n";

static void templates(void)
{
#define PROV "embedded/terraform/azure/provider.tf"
#define NET "embedded/terraform/azure/Network/infrastructure.tf"
#define INST "embedded/terraform/azure/Instance/infrastructure.tf"
	tmpl_holds(PROV, "source  = \"hashicorp/azurerm\"");
	tmpl_holds(PROV, "version = \"~> 3.0\"");
	tmpl_holds(PROV, "features {}");
	tmpl_holds(PROV, "use_msi         = var.UseMSI");
	tmpl_holds(PROV, "ARM_CLIENT_SECRET");
	ok(!strstr((const char *)embedded_find(PROV)->data, "client_secret"),
	   "provider.tf: no client_secret attribute (ARM_CLIENT_SECRET)");
	tmpl_holds(PROV, "\"${local.deployment}-${l}\"");
	tmpl_holds(PROV, "\"${local.deployment}-${l}-nsg\"");
	tmpl_holds(PROV, "tags = { icm-deployment = local.deployment }");
	tmpl_holds(NET, "resource \"azurerm_resource_group\" \"deployment\"");
	tmpl_holds(NET, "data \"azurerm_resource_group\" \"given\"");
	tmpl_holds(NET, "tags     = merge(local.tags, "
		   "{ icm-key = \"group\" })");
	tmpl_holds(NET, "resource \"azurerm_virtual_network\" \"location\"");
	tmpl_holds(NET, "{ icm-key = \"vnet/${each.key}\" }");
	tmpl_holds(NET, "resource \"azurerm_subnet\" \"location\"");
	tmpl_holds(NET, "resource \"azurerm_network_security_group\" "
		   "\"location\"");
	tmpl_holds(NET, "{ icm-key = \"nsg/${each.key}\" }");
	tmpl_holds(NET, "direction                  = \"Inbound\"");
	tmpl_holds(NET, "source_address_prefix      = \"*\"");
	tmpl_holds(NET, "name     = \"icm-icmp\"");
	tmpl_holds(INST, "resource \"azurerm_public_ip\" \"node\"");
	tmpl_holds(INST, "{ icm-key = \"pip/${local.machines"
		   "[count.index]}\" }");
	tmpl_holds(INST, "resource \"azurerm_network_interface\" \"node\"");
	tmpl_holds(INST, "name                = \"${local.machines"
		   "[count.index]}-nic\"");
	tmpl_holds(INST, "name                          = \"ipconfig1\"");
	tmpl_holds(INST, "resource \"azurerm_network_interface_security_"
		   "group_association\" \"node\"");
	tmpl_holds(INST, "resource \"azurerm_linux_virtual_machine\" \"node\"");
	tmpl_holds(INST, "admin_password                  = var.SSHPassword");
	tmpl_holds(INST, "disable_password_authentication = false");
	tmpl_holds(INST, "sensitive   = true");
	tmpl_holds(INST, "TF_VAR_SSHPassword");
	tmpl_holds(INST, "icm-key = \"node/${m}\", icm-machine = m");
	tmpl_holds(INST, "name                 = \"${local.machines"
		   "[count.index]}-os\"");
	tmpl_holds(INST, "resource \"azurerm_managed_disk\" \"volume\"");
	tmpl_holds(INST, "create_option        = \"Empty\"");
	tmpl_holds(INST, "resource \"azurerm_virtual_machine_data_disk_"
		   "attachment\" \"volume\"");
	tmpl_holds(INST, "lun                = each.value.lun");
	tmpl_holds(INST, "name                = "
		   "\"${var.LoadBalancerName}-ip\"");
	tmpl_holds(INST, "{ icm-key = \"lbip/${var.LoadBalancerName}\" }");
	tmpl_holds(INST, "resource \"azurerm_lb\" \"lb\"");
	tmpl_holds(INST, "{ icm-key = \"lb/${var.LoadBalancerName}\" }");
	tmpl_holds(INST, "name                 = \"frontend\"");
	tmpl_holds(INST, "name            = \"backend\"");
	tmpl_holds(INST, "resource \"azurerm_lb_backend_address_pool_address\""
		   " \"lb\"");
	tmpl_holds(INST, "name            = \"health\"");
	tmpl_holds(INST, "protocol        = \"Http\"");
	tmpl_holds(INST, "name                           = "
		   "\"port-${each.key}\"");
	tmpl_holds(INST, "#   lbip/<L>, lb/<L>");
#undef PROV
#undef NET
#undef INST
}

/* The multi-location deployment: lists, per-machine locations and zones,
 * parts. */
static void multi_location(const char *dir)
{
	char *state = xasprintf("%s/mr", dir), *state2, *shared, *data, *cn;
	char *path;
	struct config cfg;
	struct plan p;

	load_plan(dir, mr_defaults, mr_definitions, &cfg, &p);
	is_int(p.n, 4, "3 DATA + 1 COMPUTE");
	is_int(azure_terraform_write(state, &cfg, &p), 0,
	       "azure_terraform_write");
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
		"embedded/terraform/azure/provider.tf");
	same_as(state, "A-T", "infrastructure.tf",
		"embedded/terraform/azure/Network/infrastructure.tf");
	same_as(state, "A-COMPUTE-T", "provider.tf",
		"embedded/terraform/azure/provider.tf");
	same_as(state, "A-DATA-T", "infrastructure.tf",
		"embedded/terraform/azure/Instance/infrastructure.tf");

	ok_line(shared, "SubscriptionId = \"sub-1\"");
	ok_line(shared, "TenantId = \"ten-1\"");
	ok_line(shared, "ClientId = \"app-1\"");
	ok_line(shared, "net_subnet_cidr = \"10.9.0.0/24\"");
	ok_line(shared, "SuperServerPort = \"1972\"");
	ok_line(shared, "Location = \"westeurope,eastus,centralus\"");
	ok_line(shared, "MachineName = \"A-T\"");
	ok(shared && !strstr(shared, "Size =") && !strstr(shared, "Role =") &&
	   !strstr(shared, "\nZone"), "no definition fields there");

	ok_line(data, "MachineName = \"A-DATA-T\"");
	ok_line(data, "DefinitionIndex = \"0\"");
	ok_line(data, "InstanceCount = \"3\"");
	ok_line(data, "MachineNames = \"A-DATA-T-0001,A-DATA-T-0002,"
		"A-DATA-T-0003\"");
	ok_line(data, "Locations = \"eastus,westeurope,eastus\"");
	ok_line(data, "Zones = \"2,1,2\"");
	ok_line(data, "Location = \"westeurope,eastus,centralus\"");
	ok_line(data, "DataVolumeType = \"Premium_LRS\"");
	ok_line(data, "AccountTier = \"Premium\"");
	ok_line(data, "Size = \"Standard_B2s\"");
	ok_line(data, "PublisherName = \"Canonical\"");
	path = xasprintf("OutputFile = \"%s/A-DATA-T/terraform.out\"", state);
	ok_line(data, path);
	free(path);
	ok(data && !strstr(data, "LoadBalancerName"), "no load balancer");
	ok_line(cn, "MachineNames = \"A-COMPUTE-T-0007\"");
	ok_line(cn, "Locations = \"centralus\"");
	ok_line(cn, "Zones = \"\"");
	ok_line(cn, "DefinitionIndex = \"2\"");
	ok(data && shared && cn && !strstr(data, "s3cret") &&
	   !strstr(shared, "s3cret") && !strstr(cn, "s3cret"),
	   "no secret value written");
	ok_line(data, "# secret fields are never written here; left out: "
		"ISCPassword, SSHPassword, ClientSecret");

	/* without the configuration: the nodes' order */
	state2 = xasprintf("%s/mr2", dir);
	is_int(azure_terraform_write_shared(state2, NULL, &p), 0,
	       "the deployment's part, without the configuration");
	free(shared);
	shared = slurp_in(state2, "A-T", "terraform.tfvars");
	ok_line(shared, "Location = \"eastus,westeurope,centralus\"");
	path = xasprintf("%s/A-DATA-T", state2);
	ok(!fs_exists(path), "... and no definition's");
	free(path);
	is_int(azure_terraform_write_definition(state2, &cfg, &p, 2), 0,
	       "definition 3's part");
	path = xasprintf("%s/A-COMPUTE-T/infrastructure.tf", state2);
	ok(fs_exists(path), "... writes its directory");
	free(path);
	path = xasprintf("%s/A-DATA-T", state2);
	ok(!fs_exists(path), "... and no other");
	free(path);
	is_int(azure_terraform_write_definition(state2, &cfg, &p, 1), 0,
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
	is_int(azure_terraform_write(state, &cfg, &p), 0,
	       "azure_terraform_write");
	shared = slurp_in(state, "L-B", "terraform.tfvars");
	data = slurp_in(state, "L-DATA-B", "terraform.tfvars");
	ok_line(shared, "ResourceGroupName = \"corp-rg\"");
	ok_line(shared, "VirtualNetworkName = \"corp-vnet\"");
	ok_line(shared, "SubnetName = \"corp-sub\"");
	ok_line(shared, "UseMSI = \"true\"");
	ok_line(shared, "SuperServerPort = \"1973\"");
	ok_line(shared, "Location = \"westus2\"");
	ok(shared && !strstr(shared, "ClientId"), "no ClientId when not set");
	ok_line(data, "LoadBalancer = \"true\"");
	ok_line(data, "LoadBalancerName = \"L-LB-B-0001\"");
	ok_line(data, "ForwardPort = \"1973,52773\"");
	ok_line(data, "ForwardProtocol = \"TCP\"");
	ok_line(data, "HealthCheckPort = \"52773\"");
	ok_line(data, "HealthCheckPath = \"/s/i \\\"q\\\" $${x} %%{y}\"");
	ok_line(data, "InstanceCount = \"2\"");
	ok_line(data, "Locations = \"westus2,westus2\"");
	ok_line(data, "Zones = \"1,2\"");
	ok_line(data, "CustomImage = \"/subscriptions/s/resourceGroups/g/"
		"providers/Microsoft.Compute/images/i\"");
	ok(shared && data && !strstr(shared, "s3cret") &&
	   !strstr(data, "s3cret") && !strstr(data, "\nISCPassword =") &&
	   !strstr(data, "\nSSHPassword =") &&
	   !strstr(data, "\nDockerPassword ="), "no secret written");
	ok_line(data, "# secret fields are never written here; left out: "
		"ISCPassword, DockerPassword, SSHPassword");

	plan_init(&empty);
	is_int(azure_terraform_write(state, NULL, &empty), -1,
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
	char dir[] = "/tmp/t-azure-tf-XXXXXX";

	ok(mkdtemp(dir) != NULL, "temp dir");
	templates();
	multi_location(dir);
	load_balancer(dir);
	if (fs_remove_tree(dir))
		printf("# cannot remove %s\n", dir);
	secrets_wipe();
	return done_testing();
}
