/*
 * commands.c: icm's command table (see cmd.h for a row's shape and how to
 * add a command).  `icm help`, the man page and the shell completion
 * (tools/gendoc.c) are all derived from these rows and opt_defs[].
 */
#include "cmd.h"

/* Container commands: which container, how many nodes at once. */
#define OPTS_CONTAINER (OPT_BIT(OPT_CONTAINER) | OPT_BIT(OPT_PARALLEL))
#define OPTS_OVERRIDES (OPT_BIT(OPT_IMAGE) | OPT_BIT(OPT_NAMESPACE) | \
			OPT_BIT(OPT_ISCPASSWORD) | OPT_BIT(OPT_OVERRIDE))

const struct command commands[] = {
	{ "provision", cmd_provision, CMD_CONFIG,
	  OPTS_FILES | OPTS_OVERRIDES | OPT_BIT(OPT_PLAN) |
	  OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "create the infrastructure (-plan: show the nodes, change nothing)" },
	{ "unprovision", cmd_unprovision, CMD_LOG,
	  OPTS_FILES | OPT_BIT(OPT_CLEANUP), NULL, 0,
	  "remove what provision made (PreExisting: only icm's records)" },
	{ "ssh", cmd_ssh, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_INTERACTIVE) | OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "run an OS command on the nodes, or a shell on one" },
	{ "scp", cmd_scp, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_LOCALPATH) |
	  OPT_BIT(OPT_REMOTEPATH) | OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "copy a file or directory to the nodes" },
	{ "run", cmd_run, CMD_INSTANCES | CMD_SELECT,
	  OPTS_FILES | OPTS_SELECT | OPTS_OVERRIDES | OPTS_CONTAINER |
	  OPT_BIT(OPT_OPTIONS) | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_IMAGEARCHIVE), NULL, 0,
	  "pull the image and run the container on the nodes" },
	{ "ps", cmd_ps, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER, NULL, 0,
	  "show the containers on the nodes" },
	{ "stop", cmd_stop, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER, NULL, 0,
	  "stop the container (default iris)" },
	{ "start", cmd_start, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER, NULL, 0,
	  "start the container (default iris)" },
	{ "pull", cmd_pull, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER | OPTS_OVERRIDES |
	  OPT_BIT(OPT_IMAGEARCHIVE), NULL, 0,
	  "pull the image (default the node's DockerImage)" },
	{ "rm", cmd_rm, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER, NULL, 0,
	  "remove the (stopped) container (default iris); the image stays" },
	{ "upgrade", cmd_upgrade, CMD_INSTANCES | CMD_SELECT,
	  OPTS_FILES | OPTS_SELECT | OPTS_OVERRIDES | OPTS_CONTAINER |
	  OPT_BIT(OPT_OPTIONS) | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_IMAGEARCHIVE), NULL, 0,
	  "replace the container with one of the new image (-image)" },
	{ "exec", cmd_exec, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_INTERACTIVE) | OPT_BIT(OPT_OPTIONS), NULL, 0,
	  "run a command in the container, or a shell on one node" },
	{ "cp", cmd_cp, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPTS_CONTAINER |
	  OPT_BIT(OPT_LOCALPATH) | OPT_BIT(OPT_REMOTEPATH) |
	  OPT_BIT(OPT_OPTIONS), NULL, 0,
	  "copy a file or directory on the node into the container "
	  "(-options --retrieve: out of it; --fromIcm: from here)" },
	{ "docker", cmd_docker, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_COMMAND), NULL, 0,
	  "run a docker CLI command on the nodes" },
	{ "session", cmd_session, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_PARALLEL) |
	  OPT_BIT(OPT_COMMAND) | OPT_BIT(OPT_INTERACTIVE) |
	  OPT_BIT(OPT_NAMESPACE), NULL, 0,
	  "an IRIS terminal on one node, or -command SNIPPET on the nodes" },
	{ "terminal", cmd_terminal, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_COMMAND) |
	  OPT_BIT(OPT_INTERACTIVE) | OPT_BIT(OPT_NAMESPACE), NULL, 0,
	  "an IRIS Terminal on one node (2018), -command ^ROUTINE run in it" },
	{ "iscos", cmd_iscos, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_PARALLEL) |
	  OPT_BIT(OPT_COMMAND) | OPT_BIT(OPT_NAMESPACE), NULL, 0,
	  "an ObjectScript snippet on the nodes (2018; session -command)" },
	{ "sql", cmd_sql, CMD_INSTANCES | CMD_SELECT | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_PARALLEL) |
	  OPT_BIT(OPT_COMMAND) | OPT_BIT(OPT_INTERACTIVE) |
	  OPT_BIT(OPT_NAMESPACE), NULL, 0,
	  "an SQL statement on the nodes (jdbc.out), or the SQL shell" },
	{ "install", cmd_install, CMD_INSTANCES | CMD_SELECT,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_ISCPASSWORD) |
	  OPT_BIT(OPT_OVERRIDE) | OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "Containerless: download the kit (KitURL), install and start "
	  "IRIS" },
	{ "uninstall", cmd_uninstall, CMD_INSTANCES | CMD_SELECT,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_PARALLEL), NULL, 0,
	  "Containerless: stop IRIS and remove it from the nodes" },
	{ "inventory", cmd_inventory,
	  CMD_INSTANCES | CMD_SELECT | CMD_WITH_LB | CMD_LOG,
	  OPTS_FILES | OPTS_SELECT | OPT_BIT(OPT_OPTIONS), NULL, 0,
	  "list the provisioned nodes (instances.json)" },
	{ "keygen", cmd_keygen, CMD_NO_DEPLOY,
	  OPT_BIT(OPT_TYPE) | OPT_BIT(OPT_BITS) | OPT_BIT(OPT_DAYS) |
	  OPT_BIT(OPT_NAMES) | OPT_BIT(OPT_RENEW) | OPT_BIT(OPT_INSTANCES) |
	  OPT_BIT(OPT_STATEDIR) | OPTS_SELECT, "ssh|tls|state [path]", 2,
	  "make SSH keys (default ./ssh), TLS keys and certificates "
	  "(./tls) or the key that seals the state's secrets "
	  "(./state.key)" },
	{ "state", cmd_state, CMD_NO_DEPLOY,
	  OPT_BIT(OPT_STATEDIR) | OPT_BIT(OPT_DEFAULTS) |
	  OPT_BIT(OPT_INSTANCES), "pull|push|lock|unlock [path]", 2,
	  "a state in S3 (-stateDir s3://...): pull or push it from or to a "
	  "local state directory (default ./state), show its lock (lock "
	  "status), break it (unlock -force)" },
	{ "samples", cmd_samples, CMD_NO_DEPLOY, 0, "[DIR]", 1,
	  "write the sample configurations (default ./Samples)" },
	{ "version", cmd_version, CMD_NO_DEPLOY, 0, NULL, 0,
	  "show the versions of icm and its libraries" },
	{ "help", cmd_help, CMD_NO_DEPLOY, 0, "[command]", 1,
	  "show usage, or one command's usage" },
};
const size_t commands_count = ARRAY_SIZE(commands);

const struct command *command_find(const char *name)
{
	size_t i;

	for (i = 0; i < commands_count; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}
