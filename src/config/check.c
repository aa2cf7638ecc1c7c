/* check.c: per-value rules of fields.def (the "check" column). */
#include "../icm.h"
#include "cfgint.h"
#include "../state/log.h"
#include "../util/str.h"
#include "../docker/names.h"
#include "../iris/cos.h"
#include "../state/remote.h"
#include "../state/stateurl.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <strings.h>

#define MIRROR_ASYNC_MAX 14

static const char *const roles[] = {
	"DATA", "COMPUTE", "DM", "DS", "QS", "AM",	/* IRIS_ROLES */
	"AR", "WS", "LB", "VM", "CN", "BH",
};
#define IRIS_ROLES 6

bool role_is_iris(const char *role)
{
	size_t i;

	for (i = 0; i < IRIS_ROLES; i++)
		if (!strcmp(roles[i], role))
			return true;
	return false;
}

bool role_known(const char *role)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(roles); i++)
		if (!strcmp(roles[i], role))
			return true;
	return false;
}

const char *role_name(size_t i)
{
	return i < ARRAY_SIZE(roles) ? roles[i] : NULL;
}

static bool whole(const char *v, long lo, long hi)
{
	long n;

	return !str_to_long(v, &n) && *v != '-' && n >= lo && n <= hi;
}

/* "A|B|C" contains v exactly. */
static bool enum_has(const char *values, const char *v)
{
	size_t n = strlen(v);
	const char *p = values;

	for (;;) {
		const char *e = strchr(p, '|');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && !strncmp(p, v, n))
			return true;
		if (!e)
			return false;
		p = e + 1;
	}
}

/* "expected one of A, B, C" from "A|B|C". */
static char *enum_reason(const char *values)
{
	static const char head[] = "expected one of ";
	char *r = xmalloc(sizeof(head) + 2 * strlen(values));
	char *o = r + sizeof(head) - 1;
	const char *q;

	memcpy(r, head, sizeof(head) - 1);
	for (q = values; *q; q++) {
		if (*q == '|') {
			*o++ = ',';
			*o++ = ' ';
		} else {
			*o++ = *q;
		}
	}
	*o = 0;
	return r;
}

/* Every comma-separated element passes whole(lo, hi). */
static bool list_of_whole(const char *v, long lo, long hi)
{
	size_t n, i;
	char **e = list_split(v, &n);
	bool good = true;

	for (i = 0; i < n; i++)
		good = good && whole(e[i], lo, hi);
	list_free(e);
	return good;
}

static char *check_mirrormap(const char *v)
{
	size_t n, i, async = 0;
	char **m = list_split(v, &n);
	char *why = NULL;

	if (n < 2 || strcmp(m[0], "primary") || strcmp(m[1], "backup")) {
		why = xstrdup("must start with 'primary,backup'");
		goto out;
	}
	for (i = 2; i < n; i++) {
		if (strcmp(m[i], "async")) {
			why = xasprintf("member %zu ('%s') must be 'async'",
					i + 1, m[i]);
			goto out;
		}
		async++;
	}
	if (async > MIRROR_ASYNC_MAX)
		why = xasprintf("at most %d async members",
				MIRROR_ASYNC_MAX);
out:
	list_free(m);
	return why;
}

/*
 * Names and shaped values (issue 14): one rule per kind of value, applied
 * wherever the value enters (defaults, definitions, command line,
 * instances.json).  See fields.def's header for the sets and why.
 */
#define NAME_MAX_LEN 64		/* a machine name is a host name: <= 64 */
#define LABEL_MAX_LEN 24	/* Label-COMPUTE-Tag-NNNN stays <= 64 */
#define HOST_MAX_LEN 253	/* RFC 1123 */
#define HOST_LABEL_MAX 63

/* What is wrong with a name (a state path component, a remote name), or
 * NULL: letters, digits, '_', '.', '-' (not when nodash), not starting
 * with '.' or '-', no "..", 1..max characters. */
static char *name_reason(const char *v, size_t max, bool nodash)
{
	size_t i, n = strlen(v);

	if (!n)
		return xstrdup("must not be empty");
	if (n > max)
		return xasprintf("at most %zu characters", max);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == '-' && nodash)
			return xstrdup("must not contain dashes");
		if (!isalnum(c) && !strchr("_.-", c))
			return xstrdup(nodash ?
				"expected letters, digits, '_' and '.' only" :
				"expected letters, digits, '_', '.' and '-' "
				"only");
	}
	if (v[0] == '.' || v[0] == '-' || strstr(v, ".."))
		return xstrdup("must not start with '.' or '-' or contain "
			       "'..'");
	return NULL;
}

/* An IPv4 or IPv6 address as inet_pton reads it (no names, no ports). */
static bool is_ip(const char *v)
{
	unsigned char a[16];

	return inet_pton(AF_INET, v, a) == 1 || inet_pton(AF_INET6, v, a) == 1;
}

/* A host name (RFC 1123; a trailing '.' allowed) or an IP address. */
static bool is_host(const char *v)
{
	size_t n = strlen(v), len = 0, i;

	if (is_ip(v))
		return true;
	if (n && v[n - 1] == '.')
		n--;
	if (!n || n > HOST_MAX_LEN)
		return false;
	for (i = 0; i <= n; i++) {
		if (i == n || v[i] == '.') {
			if (!len || v[i - 1] == '-')
				return false;
			len = 0;
			continue;
		}
		if (!isalnum((unsigned char)v[i]) &&
		    (v[i] != '-' || !len))
			return false;
		if (++len > HOST_LABEL_MAX)
			return false;
	}
	return true;
}


/* No C0 control character and no DEL: a path of this machine, where any
 * other byte is the user's to choose, still goes into messages and logs. */
static bool no_control(const char *v)
{
	for (; *v; v++)
		if (str_is_control((unsigned char)*v))
			return false;
	return true;
}

/* An absolute path without control characters or a ".." component. */
static bool is_localpath(const char *v)
{
	size_t i, n = strlen(v);

	if (v[0] != '/' || n >= PATH_MAX || !no_control(v))
		return false;
	for (i = 0; i + 3 <= n; i++)
		if (v[i] == '/' && !strncmp(v + i + 1, "..", 2) &&
		    (v[i + 3] == '/' || !v[i + 3]))
			return false;
	return true;
}

/* Every comma-separated element is a name. */
static char *namelist_reason(const char *v)
{
	size_t n, i;
	char **e = list_split(v, &n);
	char *why = NULL;

	for (i = 0; i < n && !why; i++) {
		why = name_reason(e[i], NAME_MAX_LEN, false);
		if (why) {
			char *w = xasprintf("entry %zu: %s", i + 1, why);

			free(why);
			why = w;
		}
	}
	list_free(e);
	return why;
}

/*
 * A cloud resource's name or path as the GCP fields give them (Project,
 * Image, MachineType, Network, Subnet): letters, digits, '-', '_', '.'
 * and '/', no empty or "." or ".." segment, at most 1024 characters; an
 * https:// URL of the same.  They go into API paths: nothing that could
 * leave the path (no '?', '#', '%', spaces) is accepted.
 */
#define CLOUDREF_MAX 1024
static char *cloudref_reason(const char *v)
{
	static const char *const rule = "expected a resource name or path "
		"(letters, digits, '-', '_', '.' and '/'; no '.' or '..' "
		"segment), or an https:// URL of one";
	const char *p = str_starts(v, "https://") ? v + 8 : v;
	size_t i, seg = 0, n = strlen(p);

	if (!n || strlen(v) > CLOUDREF_MAX)
		return xstrdup(rule);
	for (i = 0; i <= n; i++) {
		if (i == n || p[i] == '/') {
			if (!seg || (seg == 1 && p[i - 1] == '.') ||
			    (seg == 2 && p[i - 1] == '.' && p[i - 2] == '.'))
				return xstrdup(rule);
			seg = 0;
			continue;
		}
		if (!isalnum((unsigned char)p[i]) && !strchr("-_.", p[i]))
			return xstrdup(rule);
		seg++;
	}
	return NULL;
}

/* Every comma-separated element is a cloud reference. */
static char *cloudrefs_reason(const char *v)
{
	size_t n, i;
	char **e = list_split(v, &n);
	char *why = NULL;

	for (i = 0; i < n && !why; i++) {
		why = cloudref_reason(e[i]);
		if (why && n > 1) {
			char *w = xasprintf("entry %zu: %s", i + 1, why);

			free(why);
			why = w;
		}
	}
	list_free(e);
	return why;
}

/* An Azure resource ID: "/subscriptions/" and a cloud reference. */
static char *armid_reason(const char *v)
{
	char *why = str_starts(v, "/subscriptions/") ?
		cloudref_reason(v + 1) : NULL;

	if (why || !str_starts(v, "/subscriptions/")) {
		free(why);
		return xstrdup("expected a resource ID (/subscriptions/<id>/"
			       "resourceGroups/<group>/providers/...: "
			       "letters, digits, '-', '_', '.' and '/'; no "
			       "'.' or '..' segment)");
	}
	return NULL;
}

/* The rules of names and shapes; false when rule is not one of them. */
static bool shape_rule(const char *rule, const char *v, char **why)
{
	*why = NULL;
	if (!strcmp(rule, "name"))
		*why = name_reason(v, NAME_MAX_LEN, false);
	else if (!strcmp(rule, "label"))
		*why = name_reason(v, LABEL_MAX_LEN, true);
	else if (!strcmp(rule, "namelist"))
		*why = namelist_reason(v);
	else if (!strcmp(rule, "cloudref"))
		*why = cloudrefs_reason(v);
	else if (!strcmp(rule, "armid"))
		*why = armid_reason(v);
	else if (!strcmp(rule, "ip"))
		*why = is_ip(v) ? NULL :
			xstrdup("expected an IPv4 or IPv6 address");
	else if (!strcmp(rule, "host"))
		*why = is_host(v) ? NULL :
			xstrdup("expected a host name (letters, digits, '-' "
				"and '.') or an IP address");
	else if (!strcmp(rule, "namespace"))
		*why = cos_namespace_ok(v) ? NULL :
			xstrdup("expected a namespace name ("
				COS_NAMESPACE_RULE ")");
	else if (!strcmp(rule, "nodecount"))
		*why = whole(v, 0, NODE_NUMBER_MAX) ? NULL :
			xasprintf("expected a whole number from 0 to %d",
				  NODE_NUMBER_MAX);
	else if (!strcmp(rule, "nodenumber"))
		*why = whole(v, 1, NODE_NUMBER_MAX) ? NULL :
			xasprintf("expected a whole number from 1 to %d",
				  NODE_NUMBER_MAX);
	else if (!strcmp(rule, "localpath"))
		*why = is_localpath(v) ? NULL :
			xstrdup("expected an absolute path without '..' or "
				"control characters");
	else if (!strcmp(rule, "masterstatedir"))
		*why = state_url_is_remote(v) ? state_dir_reason(v) :
			is_localpath(v) ? NULL :
			xstrdup("expected an absolute path without '..' or "
				"control characters, or s3://BUCKET/PREFIX");
	else if (!strcmp(rule, "statedir"))
		*why = state_dir_reason(v);
	else if (!strcmp(rule, "stateurl"))
		*why = (str_starts(v, "https://") || str_starts(v, "http://")) &&
			no_control(v) && !strchr(v, ' ') ? NULL :
			xstrdup("expected an http:// or https:// URL");
	else if (!strcmp(rule, "lease"))
		*why = whole(v, REMOTE_LEASE_MIN, REMOTE_LEASE_MAX) ? NULL :
			xasprintf("expected a number of seconds from %d to %d",
				  REMOTE_LEASE_MIN, REMOTE_LEASE_MAX);
	else if (!strcmp(rule, "index"))
		*why = whole(v, 0, INT_MAX) ? NULL :
			xstrdup("expected a whole number");
	else if (!strcmp(rule, "path"))
		*why = no_control(v) ? NULL :
			xstrdup("expected a path without control characters");
	else if (!strcmp(rule, "container"))
		*why = docker_name_valid(v) ? NULL :
			xstrdup("expected a container name ("
				DOCKER_NAME_RULE ")");
	else if (!strcmp(rule, "role"))
		*why = role_known(v) ? NULL : xstrdup("unrecognized role");
	else
		return false;
	return true;
}

/*
 * Values the node scripts receive (the scripts of embedded/node/), which
 * also become fstab fields, sources.list lines, CPF lines and docker bind
 * mounts: each kind has one shape here, so that what the scripts cannot
 * carry is refused at load (and -plan), not on the node.
 */
#define NODE_PATH_MAX 255	/* a mount point, ISCInstallDir */
#define DEVICE_NAME_MAX 64
#define NODE_URL_MAX 2048
#define PKG_VERSION_MAX 128
#define USER_NAME_MAX 32
#define URL_CHARS "-._~:/?&=%+,;@"	/* RFC 3986 less quotes, $, #, ... */

/* Every byte of v is an ASCII letter or digit or one of extra. */
static bool only_chars(const char *v, const char *extra)
{
	unsigned char c;

	for (; (c = (unsigned char)*v); v++)
		if ((c > 127 || !isalnum(c)) && !strchr(extra, c))
			return false;
	return true;
}

/* v (len n) is "." or "..". */
static bool dot_name(const char *v, size_t n)
{
	return (n == 1 && v[0] == '.') || (n == 2 && v[0] == '.' && v[1] == '.');
}

/* '/' then components of [A-Za-z0-9._-], none empty, "." or "..". */
static bool abs_path(const char *v)
{
	const char *c;

	if (v[0] != '/' || !v[1] || strlen(v) > NODE_PATH_MAX ||
	    !only_chars(v, "/._-"))
		return false;
	for (; *v; v = c) {
		v++;
		c = v + strcspn(v, "/");
		if (c == v || dot_name(v, (size_t)(c - v)))
			return false;
	}
	return true;
}

/* A block device: a plain name (xvdd, nvme1n1) or a /dev path; also the
 * words mountVolumes.sh knows (existing, create, local, null, skip). */
static bool device_name(const char *v)
{
	if (!strncmp(v, "/dev/", 5))
		return abs_path(v);
	return !*v || (isalnum((unsigned char)*v) &&
		       strlen(v) <= DEVICE_NAME_MAX && only_chars(v, "._-"));
}

/* An http(s):// URL (file: file:///path too) whose last path segment
 * names a file when file_name is set. */
static bool node_url(const char *v, bool file, bool file_name)
{
	const char *rest, *seg;
	size_t n;

	if (strlen(v) > NODE_URL_MAX || !only_chars(v, URL_CHARS))
		return false;
	if (file && !strncmp(v, "file://", 7))
		return abs_path(v + 7);
	rest = !strncmp(v, "https://", 8) ? v + 8 :
		!strncmp(v, "http://", 7) ? v + 7 : NULL;
	if (!rest || !*rest || *rest == '/')
		return false;
	if (!file_name)
		return true;
	n = strcspn(rest, "?");
	seg = rest + n;
	while (seg > rest && seg[-1] != '/')
		seg--;
	return seg > rest && rest + n > seg &&
		!dot_name(seg, (size_t)(rest + n - seg));
}

/* A package version as apt and yum take it: [epoch:]digit[A-Za-z0-9.+~_-]*
 * (5:20.10.17~3-0~ubuntu-jammy, 18.06.1~ce~3-0~ubuntu, 20.10.17-3.el8). */
static bool pkg_version(const char *v)
{
	const char *colon = strchr(v, ':');
	size_t digits = strspn(v, "0123456789");

	if (colon && (colon != v + digits || !digits))
		return false;
	if (colon)
		v = colon + 1;
	return isdigit((unsigned char)*v) && strlen(v) <= PKG_VERSION_MAX &&
		only_chars(v, ".+~_-");
}

/* A login name: [A-Za-z0-9_][A-Za-z0-9_.-]*, at most 32 characters. */
static bool user_name(const char *v)
{
	return (isalnum((unsigned char)*v) || *v == '_') &&
		strlen(v) <= USER_NAME_MAX && only_chars(v, "_.-");
}

static char *check_node_value(const char *rule, const char *v)
{
	if (!strcmp(rule, "abspath"))
		return abs_path(v) ? NULL :
			xasprintf("expected an absolute path of letters, "
				  "digits, '.', '_' and '-' (no '..', '//' "
				  "or trailing '/'; at most %d characters)",
				  NODE_PATH_MAX);
	if (!strcmp(rule, "device"))
		return device_name(v) ? NULL :
			xasprintf("expected a device name (letters, digits, "
				  "'.', '_', '-'; at most %d characters) or "
				  "a /dev path", DEVICE_NAME_MAX);
	if (!strcmp(rule, "repourl"))
		return !*v || node_url(v, false, false) ? NULL :
			xstrdup("expected an http:// or https:// URL of "
				"letters, digits and " URL_CHARS);
	if (!strcmp(rule, "kiturl"))
		return node_url(v, true, true) ? NULL :
			xstrdup("expected an http://, https:// or file:/// "
				"URL naming the kit file, of letters, digits "
				"and " URL_CHARS);
	if (!strcmp(rule, "pkgversion"))
		return !*v || pkg_version(v) ? NULL :
			xstrdup("expected a package version "
				"([epoch:]version, e.g. "
				"5:20.10.17~3-0~ubuntu-jammy)");
	if (!strcmp(rule, "username"))
		return user_name(v) ? NULL :
			xasprintf("expected a user name (letters, digits, "
				  "'_', '.', '-'; at most %d characters)",
				  USER_NAME_MAX);
	return NULL;
}

static char *check_rule(const char *rule, const char *v)
{
	char *why;

	if (shape_rule(rule, v, &why))
		return why;
	if (!strcmp(rule, "count"))
		return whole(v, 0, LONG_MAX) ? NULL :
			xstrdup("expected a whole number");
	if (!strcmp(rule, "positive"))
		return whole(v, 1, LONG_MAX) ? NULL :
			xstrdup("expected a whole number of at least 1");
	if (!strcmp(rule, "port"))
		return whole(v, 1, 65535) ? NULL :
			xstrdup("expected a port number (1-65535)");
	if (!strcmp(rule, "netmask"))
		return whole(v, 1, 32) ? NULL :
			xstrdup("expected a prefix length (1-32)");
	if (!strcmp(rule, "scsi"))
		return whole(v, 1, 4) ? NULL :
			xstrdup("expected a controller number (1-4)");
	if (!strcmp(rule, "portlist"))
		return list_of_whole(v, 1, 65535) ? NULL :
			xstrdup("expected a comma-separated list of port "
				"numbers (1-65535)");
	if (!strcmp(rule, "indexlist"))
		return list_of_whole(v, 0, LONG_MAX) ? NULL :
			xstrdup("expected a comma-separated list of whole "
				"numbers");
	if (!strcmp(rule, "keyfile"))
		return str_ends(v, ".key") && strlen(v) > 4 ? NULL :
			xstrdup("must end in '.key'");
	if (!strcmp(rule, "image"))
		return strchr(v, '/') && !strpbrk(v, " \t") ? NULL :
			xstrdup("expected an image name with its repository "
				"(repository/image:tag)");
	if (!strcmp(rule, "urlpath"))
		return v[0] == '/' && (!v[1] || !str_ends(v, "/")) ? NULL :
			xstrdup("expected a path starting with '/' and no "
				"trailing '/'");
	if (!strcmp(rule, "mirrormap"))
		return check_mirrormap(v);
	return check_node_value(rule, v);
}

char *check_value(const struct field_def *f, const char *v)
{
	const char *rule = f->check;
	const char *alias = field_alias_of(f);

	if (alias) {
		f = field_find(alias);
		rule = f ? f->check : NULL;
		if (!f)
			return NULL;
	}
	if (f->type == FT_BOOL && strcasecmp(v, "true") &&
	    strcasecmp(v, "false"))
		return xstrdup("expected true or false");
	if (f->type == FT_ENUM && rule && strcmp(rule, "role") &&
	    !enum_has(rule, v))
		return enum_reason(rule);
	if (f->type == FT_INT && !rule)
		rule = "count";
	if (f->type == FT_PATH && !rule)
		rule = "path";
	if (f->type == FT_ENUM && rule && !strcmp(rule, "role"))
		return check_rule(rule, v);
	return rule && f->type != FT_ENUM ? check_rule(rule, v) : NULL;
}

char *check_by_rule(const char *rule, const char *v)
{
	return strchr(rule, '|') ? (enum_has(rule, v) ? NULL :
				    enum_reason(rule))
				 : check_rule(rule, v);
}

#define SHOWN_MAX 200
char *value_shown(const char *v)
{
	size_t cap = 4 * SHOWN_MAX + 4, i;
	char *s = xmalloc(cap), *o = s;

	for (i = 0; v[i] && i < SHOWN_MAX; i++) {
		unsigned char c = (unsigned char)v[i];

		if (str_is_control(c))
			o += snprintf(o, cap - (size_t)(o - s), "\\x%02x", c);
		else
			*o++ = (char)c;
	}
	strlcpy_icm(o, v[i] ? "..." : "", cap - (size_t)(o - s));
	return s;
}

int config_check_option(const char *option, const char *rule, const char *v)
{
	char *why = v ? check_by_rule(rule, v) : NULL, *s;

	if (!why)
		return 0;
	s = value_shown(v);
	error("-%s: %s, got '%s'", option, why, s);
	free(s);
	free(why);
	return -1;
}

int check_report(const char *loc, const char *field, bool secret,
		 const char *v, char *why)
{
	char *s;

	if (!why)
		return 0;
	if (secret) {
		error("%s: field '%s': %s, got a value of the wrong type", loc,
		      field, why);
	} else {
		s = value_shown(v);
		error("%s: field '%s': %s, got '%s'", loc, field, why, s);
		free(s);
	}
	free(why);
	return -1;
}
