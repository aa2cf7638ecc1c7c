/* options.c: the option table and the parser (see options.h). */
#include "options.h"
#include "../state/log.h"
#include "../util/str.h"

const struct opt_def opt_defs[] = {
	{ "help", NULL, OPT_HELP, NULL, "show usage" },
	{ "version", NULL, OPT_VERSION, NULL, "show icm's version" },
	{ "defaults", NULL, OPT_DEFAULTS, "file",
	  "defaults file, or a directory holding defaults.json (default "
	  "./defaults.json)" },
	{ "definitions", NULL, OPT_DEFINITIONS, "file",
	  "definitions file, or a directory holding definitions.json "
	  "(default ./definitions.json)" },
	{ "instances", NULL, OPT_INSTANCES, "file",
	  "instances file, or a directory holding instances.json (default "
	  "./instances.json)" },
	{ "stateDir", NULL, OPT_STATEDIR, "dir",
	  "state directory (default: the one provision recorded in "
	  "instances.json, else ./state)" },
	{ "machine", NULL, OPT_MACHINE, "regexp",
	  "select nodes whose machine name matches" },
	{ "role", NULL, OPT_ROLE, "role", "select nodes of this role" },
	{ "container", NULL, OPT_CONTAINER, "name",
	  "container name (default iris)" },
	{ "image", NULL, OPT_IMAGE, "repo/image:tag",
	  "image to deploy (overrides DockerImage)" },
	{ "command", NULL, OPT_COMMAND, "cmd", "command to run" },
	{ "options", NULL, OPT_OPTIONS, "opts",
	  "extra options (docker options; inventory: wide,certs)" },
	{ "interactive", NULL, OPT_INTERACTIVE, NULL,
	  "attach the console (one node)" },
	{ "namespace", NULL, OPT_NAMESPACE, "ns",
	  "namespace (overrides Namespace)" },
	{ "iscPassword", NULL, OPT_ISCPASSWORD, "password",
	  "password of the predefined IRIS accounts" },
	{ "force", NULL, OPT_FORCE, NULL, "do not ask for confirmation" },
	{ "cleanUp", NULL, OPT_CLEANUP, NULL,
	  "unprovision: remove the state directory afterwards" },
	{ "json", NULL, OPT_JSON, NULL,
	  "write the result to ./response.json" },
	{ "verbose", NULL, OPT_VERBOSE, NULL, "show more detail" },
	{ "localPath", NULL, OPT_LOCALPATH, "path", "local path" },
	{ "remotePath", NULL, OPT_REMOTEPATH, "path", "remote path" },
	{ "override", "overrides", OPT_OVERRIDE, "json",
	  "field overrides for this command, '{\"Field\":\"value\"}'" },
	{ "parallel", NULL, OPT_PARALLEL, "n",
	  "nodes handled at once (default 32)" },
	{ "plan", NULL, OPT_PLAN, NULL,
	  "provision: show the nodes that would exist, change nothing" },
	{ "type", NULL, OPT_TYPE, "rsa|ecdsa",
	  "keygen: key type (default rsa; ecdsa is P-256)" },
	{ "bits", NULL, OPT_BITS, "n",
	  "keygen: RSA key size (default ssh 2048, tls 4096)" },
	{ "days", NULL, OPT_DAYS, "n",
	  "keygen tls: certificate validity in days (default 365)" },
	{ "names", NULL, OPT_NAMES, "name,ip,...",
	  "keygen tls: server certificate names and IPs (added to "
	  "localhost, 127.0.0.1)" },
	{ "renew", NULL, OPT_RENEW, NULL,
	  "keygen tls: issue the deployment's node certificates that are "
	  "missing, renamed or expiring (state/pki)" },
	{ "imageArchive", NULL, OPT_IMAGEARCHIVE, "file",
	  "run, upgrade, pull: load the image from this `docker save` "
	  "archive on every node instead of pulling it (no registry)" },
};
const size_t opt_defs_count = ARRAY_SIZE(opt_defs);

const struct opt_def *option_find(const char *word)
{
	size_t i, len;
	const char *eq;

	if (word[0] != '-')
		return NULL;
	word += word[1] == '-' ? 2 : 1;
	eq = strchr(word, '=');
	len = eq ? (size_t)(eq - word) : strlen(word);
	for (i = 0; i < opt_defs_count; i++) {
		const struct opt_def *d = &opt_defs[i];

		if ((strlen(d->name) == len && !strncmp(d->name, word, len)) ||
		    (d->alias && strlen(d->alias) == len &&
		     !strncmp(d->alias, word, len)))
			return d;
	}
	return NULL;
}

int options_parse(struct options *o, int argc, char **argv, int start,
		  uint64_t allowed, const char *cmd, char **pos, int *npos)
{
	int i;

	*npos = 0;
	for (i = start; i < argc; i++) {
		const char *w = argv[i], *eq;
		const struct opt_def *d;

		if (w[0] != '-' || !w[1]) {
			pos[(*npos)++] = argv[i];
			continue;
		}
		d = option_find(w);
		if (!d)
			return error_raw("Unrecognized option: '%s' (try \"icm -help\")",
					 w);
		if (!(allowed & OPT_BIT(d->id)))
			return error("option '-%s' does not apply to 'icm %s' "
				     "(try \"icm help %s\")", d->name, cmd, cmd);
		if (o->set[d->id])
			return error("option '-%s' given twice", d->name);
		eq = strchr(w, '=');
		if (!d->arg) {
			if (eq)
				return error("option '-%s' takes no value",
					     d->name);
			o->val[d->id] = "true";
		} else if (eq) {
			o->val[d->id] = eq + 1;
		} else if (i + 1 < argc) {
			o->val[d->id] = argv[++i];
		} else {
			return error("option '-%s' needs a value (%s)", d->name,
				     d->arg);
		}
		o->set[d->id] = true;
		if (d->id == OPT_ISCPASSWORD &&
		    !strcmp(o->val[d->id], SECRET_PLACEHOLDER))
			return error("option '-%s' is the guide's placeholder "
				     "'%s'; give the real password", d->name,
				     SECRET_PLACEHOLDER);
		if (d->id == OPT_ISCPASSWORD)
			secret_register("ISCPassword", o->val[d->id]);
	}
	return 0;
}
