/*
 * runopts.c: -options (docker-run flags) into Engine API JSON; see
 * runopts.h.  The flags are a table: name, short name, whether a value
 * follows, and the function that puts the value where the API wants it.
 */
#include "runopts.h"
#include "../state/log.h"
#include "../util/str.h"

#define WORDS_MAX 4096

void words_free(char **argv)
{
	char **p;

	for (p = argv; p && *p; p++)
		free(*p);
	free(argv);
}

int words_split(const char *s, const char *what, char ***argv, int *argc,
		char **why)
{
	char **v = xcalloc(1, sizeof(*v));
	char *w = xmalloc(strlen(s) + 1);
	size_t wl = 0;
	int n = 0;
	bool in_word = false;
	char q = 0;

	for (;; s++) {
		char c = *s;

		if (q == '\'') {
			if (!c)
				goto unterminated;
			if (c == '\'')
				q = 0;
			else
				w[wl++] = c;
			continue;
		}
		if (q == '"') {
			if (!c)
				goto unterminated;
			if (c == '"')
				q = 0;
			else if (c == '\\' && s[1] &&
				 strchr("\"\\$`", s[1]))
				w[wl++] = *++s;
			else
				w[wl++] = c;
			continue;
		}
		if (!c || c == ' ' || c == '\t' || c == '\n') {
			if (in_word) {
				if (n >= WORDS_MAX) {
					error_why(why, "%s: more than %d "
						  "words", what, WORDS_MAX);
					goto fail;
				}
				v = xrealloc(v, (n + 2) * sizeof(*v));
				v[n++] = xstrndup(w, wl);
				v[n] = NULL;
				wl = 0;
				in_word = false;
			}
			if (!c)
				break;
			continue;
		}
		in_word = true;
		if (c == '\'' || c == '"')
			q = c;
		else if (c == '\\' && s[1])
			w[wl++] = *++s;
		else
			w[wl++] = c;
	}
	free(w);
	*argv = v;
	*argc = n;
	return 0;
unterminated:
	error_why(why, "%s: unterminated %s quote", what,
		  q == '"' ? "double" : "single");
fail:
	free(w);
	words_free(v);
	return -1;
}

int64_t runopts_size(const char *s)
{
	static const char units[] = "bkmgtp";
	char *end;
	double v;
	const char *u;
	int64_t mul = 1;

	if (!s || !*s || !(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || v < 0)
		return -1;
	if (*end) {
		u = strchr(units, end[0] | 0x20);
		if (!u)
			return -1;
		for (int i = 0; i < u - units; i++)
			mul *= 1024;
		end++;
		if (*end && (*end | 0x20) == 'b' && u != units)
			end++;
		if (*end)
			return -1;
	}
	if (v * (double)mul > 9.0e18)
		return -1;
	return (int64_t)(v * (double)mul);
}

/* ---------------------------------------------------------------- run */

struct apply {
	cJSON *cfg, *host;
	const char *flag;	/* as written, for messages */
	char **why;		/* NULL, or gets the message too */
};

static cJSON *obj(cJSON *parent, const char *key)
{
	cJSON *o = cJSON_GetObjectItemCaseSensitive(parent, key);

	if (!cJSON_IsObject(o)) {
		cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
		o = cJSON_AddObjectToObject(parent, key);
	}
	return o;
}

static cJSON *arr(cJSON *parent, const char *key)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(parent, key);

	if (!cJSON_IsArray(a)) {
		cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
		a = cJSON_AddArrayToObject(parent, key);
	}
	return a;
}

static void set_str(cJSON *parent, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
	cJSON_AddStringToObject(parent, key, v);
}

static void set_num(cJSON *parent, const char *key, double v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(parent, key);
	cJSON_AddNumberToObject(parent, key, v);
}

static int bad(const struct apply *a, const char *v, const char *want)
{
	return error_why(a->why, "-options: %s '%s': expected %s", a->flag,
			 v, want);
}

/* NAME=value, or NAME alone: the value from icm's environment (docker). */
static int o_env(struct apply *a, const char *v)
{
	const char *eq = strchr(v, '=');

	if (eq == v || !*v)
		return bad(a, v, "NAME=value");
	if (!eq) {
		const char *e = getenv(v);
		char *kv;

		if (!e)
			return 0;	/* docker drops an unset name */
		kv = xasprintf("%s=%s", v, e);
		cJSON_AddItemToArray(arr(a->cfg, "Env"),
				     cJSON_CreateString(kv));
		free(kv);
		return 0;
	}
	cJSON_AddItemToArray(arr(a->cfg, "Env"), cJSON_CreateString(v));
	return 0;
}

/* HOST:CONTAINER[:OPTS] (a bind) or a named/anonymous volume. */
static int o_volume(struct apply *a, const char *v)
{
	const char *c = strchr(v, ':');

	if (!*v || c == v)
		return bad(a, v, "HOST-PATH:CONTAINER-PATH[:ro]");
	if (!c) {
		if (*v != '/')
			return bad(a, v, "an absolute container path");
		cJSON_AddItemToObject(obj(a->cfg, "Volumes"), v,
				      cJSON_CreateObject());
		return 0;
	}
	if (c[1] != '/')
		return bad(a, v, "an absolute container path after ':'");
	cJSON_AddItemToArray(arr(a->host, "Binds"), cJSON_CreateString(v));
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* [IP:][HOSTPORT:]CONTAINERPORT[/PROTO] */
static int o_publish(struct apply *a, const char *v)
{
	char *s = xstrdup(v), *proto = strrchr(s, '/'), *parts[3];
	char *key, *save = NULL, *p;
	int n = 0, ret = -1;
	cJSON *b;

	if (proto) {
		*proto++ = 0;
		if (strcmp(proto, "tcp") && strcmp(proto, "udp") &&
		    strcmp(proto, "sctp")) {
			bad(a, v, "a protocol of tcp, udp or sctp");
			goto out;
		}
	} else {
		proto = "tcp";
	}
	/* IPv6 host addresses in brackets are not split. */
	for (p = strtok_r(s, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		if (n == 3) {
			bad(a, v, "[IP:][HOST-PORT:]CONTAINER-PORT[/PROTOCOL]");
			goto out;
		}
		parts[n++] = p;
	}
	if (!n || !all_digits(parts[n - 1], strlen(parts[n - 1])) ||
	    (n >= 2 && *parts[n - 2] &&
	     !all_digits(parts[n - 2], strlen(parts[n - 2])))) {
		bad(a, v, "[IP:][HOST-PORT:]CONTAINER-PORT[/PROTOCOL]");
		goto out;
	}
	key = xasprintf("%s/%s", parts[n - 1], proto);
	cJSON_AddItemToObject(obj(a->cfg, "ExposedPorts"), key,
			      cJSON_CreateObject());
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "HostIp", n == 3 ? parts[0] : "");
	cJSON_AddStringToObject(b, "HostPort", n >= 2 ? parts[n - 2] : "");
	cJSON_AddItemToArray(arr(obj(a->host, "PortBindings"), key), b);
	free(key);
	ret = 0;
out:
	free(s);
	return ret;
}

static int o_cap_add(struct apply *a, const char *v)
{
	cJSON_AddItemToArray(arr(a->host, "CapAdd"), cJSON_CreateString(v));
	return 0;
}

static int o_cap_drop(struct apply *a, const char *v)
{
	cJSON_AddItemToArray(arr(a->host, "CapDrop"), cJSON_CreateString(v));
	return 0;
}

static int o_privileged(struct apply *a, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(a->host, "Privileged");
	cJSON_AddBoolToObject(a->host, "Privileged", 1);
	return 0;
}

static int o_init(struct apply *a, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(a->host, "Init");
	cJSON_AddBoolToObject(a->host, "Init", 1);
	return 0;
}

static int size_into(struct apply *a, const char *v, const char *key)
{
	int64_t n = runopts_size(v);

	if (n < 0)
		return bad(a, v, "a size like 512m or 2g");
	set_num(a->host, key, (double)n);
	return 0;
}

static int o_memory(struct apply *a, const char *v)
{
	return size_into(a, v, "Memory");
}

static int o_shm(struct apply *a, const char *v)
{
	return size_into(a, v, "ShmSize");
}

static int o_cpus(struct apply *a, const char *v)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || *end || end == v || d <= 0 || d > 4096)
		return bad(a, v, "a number of CPUs like 1.5");
	set_num(a->host, "NanoCpus", (double)(int64_t)(d * 1e9));
	return 0;
}

/* NAME=SOFT[:HARD] */
static int o_ulimit(struct apply *a, const char *v)
{
	const char *eq = strchr(v, '='), *colon;
	char *end;
	long long soft, hard;
	cJSON *u;

	if (!eq || eq == v)
		return bad(a, v, "NAME=SOFT[:HARD]");
	errno = 0;
	soft = strtoll(eq + 1, &end, 10);
	if (errno || end == eq + 1 || (*end && *end != ':'))
		return bad(a, v, "NAME=SOFT[:HARD]");
	hard = soft;
	colon = *end == ':' ? end : NULL;
	if (colon) {
		hard = strtoll(colon + 1, &end, 10);
		if (errno || end == colon + 1 || *end)
			return bad(a, v, "NAME=SOFT[:HARD]");
	}
	u = cJSON_CreateObject();
	{
		char *name = xstrndup(v, eq - v);

		cJSON_AddStringToObject(u, "Name", name);
		free(name);
	}
	cJSON_AddNumberToObject(u, "Soft", (double)soft);
	cJSON_AddNumberToObject(u, "Hard", (double)hard);
	cJSON_AddItemToArray(arr(a->host, "Ulimits"), u);
	return 0;
}

static int o_entrypoint(struct apply *a, const char *v)
{
	cJSON *e;

	cJSON_DeleteItemFromObjectCaseSensitive(a->cfg, "Entrypoint");
	e = cJSON_AddArrayToObject(a->cfg, "Entrypoint");
	cJSON_AddItemToArray(e, cJSON_CreateString(v));
	return 0;
}

static int o_user(struct apply *a, const char *v)
{
	set_str(a->cfg, "User", v);
	return 0;
}

static int o_workdir(struct apply *a, const char *v)
{
	if (*v != '/')
		return bad(a, v, "an absolute path");
	set_str(a->cfg, "WorkingDir", v);
	return 0;
}

/* KEY[=VALUE] into an object of strings. */
static int kv_into(struct apply *a, cJSON *o, const char *v)
{
	const char *eq = strchr(v, '=');
	char *k;

	if (eq == v || !*v)
		return bad(a, v, "KEY=VALUE");
	k = eq ? xstrndup(v, eq - v) : xstrdup(v);
	cJSON_DeleteItemFromObjectCaseSensitive(o, k);
	cJSON_AddStringToObject(o, k, eq ? eq + 1 : "");
	free(k);
	return 0;
}

static int o_label(struct apply *a, const char *v)
{
	return kv_into(a, obj(a->cfg, "Labels"), v);
}

static int o_log_driver(struct apply *a, const char *v)
{
	set_str(obj(a->host, "LogConfig"), "Type", v);
	return 0;
}

static int o_log_opt(struct apply *a, const char *v)
{
	if (!strchr(v, '='))
		return bad(a, v, "KEY=VALUE");
	return kv_into(a, obj(obj(a->host, "LogConfig"), "Config"), v);
}

static bool perms_ok(const char *p)
{
	return *p && strspn(p, "rwm") == strlen(p);
}

/* HOST[:CONTAINER][:PERMISSIONS] */
static int o_device(struct apply *a, const char *v)
{
	char *s = xstrdup(v), *p[3] = { NULL, NULL, NULL }, *save = NULL;
	char *w, *ctr = NULL, *perms = NULL;
	int n = 0;
	cJSON *d;

	for (w = strtok_r(s, ":", &save); w; w = strtok_r(NULL, ":", &save))
		if (n < 3)
			p[n++] = w;
		else
			n = 4;
	if (n >= 2 && *p[1] == '/')
		ctr = p[1];
	else if (n == 2)
		perms = p[1];
	if (n == 3 && ctr)
		perms = p[2];
	if (!n || n > 3 || *p[0] != '/' || (n == 3 && !ctr) ||
	    (perms && !perms_ok(perms))) {
		free(s);
		return bad(a, v, "HOST-DEVICE[:CONTAINER-DEVICE][:rwm]");
	}
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "PathOnHost", p[0]);
	cJSON_AddStringToObject(d, "PathInContainer", ctr ? ctr : p[0]);
	cJSON_AddStringToObject(d, "CgroupPermissions", perms ? perms : "rwm");
	cJSON_AddItemToArray(arr(a->host, "Devices"), d);
	free(s);
	return 0;
}

static int o_security_opt(struct apply *a, const char *v)
{
	cJSON_AddItemToArray(arr(a->host, "SecurityOpt"),
			     cJSON_CreateString(v));
	return 0;
}

/* PATH[:OPTIONS] */
static int o_tmpfs(struct apply *a, const char *v)
{
	const char *c = strchr(v, ':');
	char *path = c ? xstrndup(v, c - v) : xstrdup(v);
	cJSON *t = obj(a->host, "Tmpfs");

	if (*path != '/') {
		free(path);
		return bad(a, v, "an absolute path[:options]");
	}
	cJSON_DeleteItemFromObjectCaseSensitive(t, path);
	cJSON_AddStringToObject(t, path, c ? c + 1 : "");
	free(path);
	return 0;
}

static int o_network(struct apply *a, const char *v)
{
	if (!*v)
		return bad(a, v, "a network name");
	set_str(a->host, "NetworkMode", v);
	return 0;
}

struct flag {
	const char *name, *short_name;
	bool value;		/* takes a value */
	bool exec;		/* also accepted by exec */
	int (*fn)(struct apply *a, const char *v);
};

static const struct flag flags[] = {
	{ "env", "e", true, true, o_env },
	{ "volume", "v", true, false, o_volume },
	{ "publish", "p", true, false, o_publish },
	{ "cap-add", NULL, true, false, o_cap_add },
	{ "cap-drop", NULL, true, false, o_cap_drop },
	{ "privileged", NULL, false, false, o_privileged },
	{ "memory", "m", true, false, o_memory },
	{ "cpus", NULL, true, false, o_cpus },
	{ "shm-size", NULL, true, false, o_shm },
	{ "ulimit", NULL, true, false, o_ulimit },
	{ "entrypoint", NULL, true, false, o_entrypoint },
	{ "user", "u", true, true, o_user },
	{ "workdir", "w", true, true, o_workdir },
	{ "label", "l", true, false, o_label },
	{ "log-driver", NULL, true, false, o_log_driver },
	{ "log-opt", NULL, true, false, o_log_opt },
	{ "device", NULL, true, false, o_device },
	{ "security-opt", NULL, true, false, o_security_opt },
	{ "tmpfs", NULL, true, false, o_tmpfs },
	{ "network", "net", true, false, o_network },
	{ "init", NULL, false, false, o_init },
};

static const struct flag *flag_find(const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		const char *s = flags[i].short_name;

		if (w[1] == '-' && strlen(flags[i].name) == len - 2 &&
		    !strncmp(flags[i].name, w + 2, len - 2))
			return &flags[i];
		if (w[1] != '-' && s && strlen(s) == len - 1 &&
		    !strncmp(s, w + 1, len - 1))
			return &flags[i];
		/* docker also takes --net for --network */
		if (w[1] == '-' && s && strlen(s) > 1 &&
		    strlen(s) == len - 2 && !strncmp(s, w + 2, len - 2))
			return &flags[i];
	}
	return NULL;
}

/* Walks the words of s, calling each flag's function on a (exec: only
 * the flags exec takes). */
static int walk(const char *s, bool exec, struct apply *a)
{
	char **argv = NULL;
	int argc = 0, i, ret = -1;

	if (words_split(s, "-options", &argv, &argc, a->why))
		return -1;
	for (i = 0; i < argc; i++) {
		const char *w = argv[i], *eq, *val;
		const struct flag *f;
		size_t len;
		char *shown;

		if (w[0] != '-' || !w[1]) {
			error_why(a->why, "-options: '%s' is not a flag "
				  "(values follow their flag: --env "
				  "NAME=value)", w);
			goto out;
		}
		eq = strchr(w, '=');
		len = eq ? (size_t)(eq - w) : strlen(w);
		f = flag_find(w, len);
		shown = xstrndup(w, len);
		if (!f || (exec && !f->exec)) {
			error_why(a->why, "-options: '%s' is not a docker %s "
				  "option icm accepts", shown,
				  exec ? "exec" : "run");
			free(shown);
			goto out;
		}
		a->flag = shown;
		if (!f->value) {
			if (eq && strcmp(eq + 1, "true")) {
				if (!strcmp(eq + 1, "false")) {
					free(shown);
					continue;
				}
				bad(a, eq + 1, "true or false");
				free(shown);
				goto out;
			}
			val = "";
		} else if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			error_why(a->why, "-options: %s needs a value", shown);
			free(shown);
			goto out;
		}
		if (f->fn(a, val)) {
			free(shown);
			goto out;
		}
		free(shown);
	}
	ret = 0;
out:
	words_free(argv);
	return ret;
}

int runopts_apply(const char *s, cJSON *config, char **why)
{
	struct apply a;
	cJSON *copy;

	if (!s || !*s)
		return 0;
	copy = cJSON_Duplicate(config, 1);
	a.cfg = copy;
	a.host = obj(copy, "HostConfig");
	a.flag = NULL;
	a.why = why;
	if (walk(s, false, &a)) {
		cJSON_Delete(copy);
		return -1;
	}
	/* the applied copy's members become config's */
	{
		cJSON *old = config->child;

		config->child = copy->child;
		copy->child = old;
	}
	cJSON_Delete(copy);
	return 0;
}

static char **strv(const cJSON *a)
{
	int n = cJSON_GetArraySize(a), k = 0;
	char **v = xcalloc((size_t)n + 1, sizeof(*v));
	const cJSON *e;

	cJSON_ArrayForEach(e, a)
		if (cJSON_IsString(e))
			v[k++] = xstrdup(e->valuestring);
	return v;
}

int execopts_parse(const char *s, struct execopts *out)
{
	struct apply a;
	cJSON *cfg = cJSON_CreateObject(), *e;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	a.cfg = cfg;
	a.host = obj(cfg, "HostConfig");
	a.flag = NULL;
	a.why = NULL;
	if (s && *s && walk(s, true, &a))
		goto out;
	if ((e = cJSON_GetObjectItemCaseSensitive(cfg, "Env")))
		out->env = strv(e);
	e = cJSON_GetObjectItemCaseSensitive(cfg, "User");
	if (cJSON_IsString(e))
		out->user = xstrdup(e->valuestring);
	e = cJSON_GetObjectItemCaseSensitive(cfg, "WorkingDir");
	if (cJSON_IsString(e))
		out->workdir = xstrdup(e->valuestring);
	ret = 0;
out:
	cJSON_Delete(cfg);
	return ret;
}

void execopts_release(struct execopts *o)
{
	words_free(o->env);
	free(o->user);
	free(o->workdir);
	memset(o, 0, sizeof(*o));
}
