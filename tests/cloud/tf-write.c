/*
 * tf-write: writes the AWS Terraform templates and tfvars of a
 * configuration (src/provider/aws/tf.h) for tests/e2e/63-terraform.sh.
 *
 *   tf-write DEFAULTS DEFINITIONS STATEDIR
 *
 * Loads and validates the configuration as provision does, builds the
 * plan and calls aws_terraform_write_config() (the Zone list as aws.c
 * makes it); exit status 0 or 1 (the error on stderr).  Nothing is
 * contacted.
 */
#include "../../src/icm.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/provider/aws/tf.h"
#include "../../src/state/log.h"

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
	    plan_build(&cfg, &p) || aws_terraform_write_config(argv[3], &cfg, &p))
		goto out;
	ret = 0;
out:
	plan_release(&p);
	config_release(&cfg);
	return ret;
}
