/*
 * tf-write: writes the Terraform templates and tfvars of a configuration
 * for tests/e2e/63-terraform.sh (AWS, src/provider/aws/tf.h),
 * 87-vsphere-tf.sh (vSphere, src/provider/vsphere/tf.h), 92-gcp-tf.sh
 * (GCP, src/provider/gcp/tf.h), 96-azure-tf.sh (Azure,
 * src/provider/azure/tf.h) and 99-tencent-tf.sh (Tencent,
 * src/provider/tencent/tf.h).
 *
 *   tf-write DEFAULTS DEFINITIONS STATEDIR
 *
 * Loads and validates the configuration as provision does, builds the
 * plan and calls the writer of its Provider (AWS:
 * aws_terraform_write_config(), the Zone list as aws.c makes it;
 * vSphere: vsphere_terraform_write(); GCP: gcp_terraform_write(); Azure:
 * azure_terraform_write(); Tencent: tencent_terraform_write()); exit
 * status 0 or 1 (the error on stderr, also for a provider without
 * Terraform templates).  Nothing is contacted.
 */
#include "../../src/icm.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/provider/aws/tf.h"
#include "../../src/provider/azure/tf.h"
#include "../../src/provider/gcp/tf.h"
#include "../../src/provider/tencent/tf.h"
#include "../../src/provider/vsphere/tf.h"
#include "../../src/state/log.h"

static int write_tf(const char *state_dir, const struct config *cfg,
		    const struct plan *p)
{
	const char *provider = config_get(cfg, -1, "Provider");

	if (provider && !strcmp(provider, "AWS"))
		return aws_terraform_write_config(state_dir, cfg, p);
	if (provider && !strcmp(provider, "vSphere"))
		return vsphere_terraform_write(state_dir, cfg, p);
	if (provider && !strcmp(provider, "GCP"))
		return gcp_terraform_write(state_dir, cfg, p);
	if (provider && !strcmp(provider, "Azure"))
		return azure_terraform_write(state_dir, cfg, p);
	if (provider && !strcmp(provider, "Tencent"))
		return tencent_terraform_write(state_dir, cfg, p);
	return error("tf-write: no Terraform templates for Provider '%s'",
		     provider ? provider : "");
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct plan p;
	int ret = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: tf-write DEFAULTS DEFINITIONS STATEDIR\n");
		return 2;
	}
	config_init(&cfg);
	plan_init(&p);
	if (config_load(&cfg, argv[1], argv[2]) || config_validate(&cfg) ||
	    plan_build(&cfg, &p) || write_tf(argv[3], &cfg, &p))
		goto out;
	ret = 0;
out:
	plan_release(&p);
	config_release(&cfg);
	return ret;
}
