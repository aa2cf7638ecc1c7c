/*
 * t-config.c: the configuration model against tests/data/config.
 *
 * bad/<case>/: defaults.json, definitions.json (optional overrides.json,
 * given to config_set_overrides), and expected: the exact
 * report_main_error() of the first failing step of config_load,
 * config_validate, plan_build.  If a file "secret" is present, its value
 * must not appear in the message.
 * good/<case>/: the same steps succeed and expected-nodes lists
 * "<name> <role> <zone|-> <member|->" for every node of the plan.
 *
 * The topology rules of reference §4.2 (and §4.1), each broken once in
 * bad/<case> (the first two are field rules, always on; the others are
 * skipped with SkipTopologyValidation, see good/skip-topology):
 *   unknown role, ICM's "Unrecognized role"        40-role-unknown-qm
 *   LB defined directly as a role                  41-role-lb-direct
 *   DM/DS/QS combined with DATA/COMPUTE            60-topo-dm-with-data,
 *                                                  61-topo-qs-with-data
 *   COMPUTE needs DATA                             62-topo-compute-no-data
 *   QS needs DS (ICM's wording)                    63-topo-qs-no-ds
 *   DS needs DM                                    64-topo-ds-no-dm
 *   AM needs DM                                    65-topo-am-no-dm
 *   at most one BH                                 66-topo-two-bh
 *   non-mirrored: at most one DM                   67-topo-two-dm-plain
 *   non-mirrored: no AR (§4.2 "0 AR" wins)         68-topo-ar-plain
 *   mirrored, primary,backup: DATA count even      69-topo-mirror-data-odd
 *   mirrored, k members: DATA k*n or 2..k-1        70-topo-mirror-data-k3
 *   mirrored, k members: DS likewise               71-topo-mirror-ds-k4
 *   mirrored, primary,backup: exactly 2 DM         72-topo-mirror-dm-one
 *   mirrored, k members: 2..k DM                   73-topo-mirror-dm-k3-four
 *   mirrored: at most one AR                       74-topo-mirror-two-ar
 *   COMPUTE is never mirrored                      75-topo-compute-mirrored
 *   at most 14 asyncs (MirrorMap field rule)       76-mirrormap-15-async
 *   Mirror the same everywhere (all or none)       77-mirror-disagree
 *   Label/Tag in definitions agree with each other 83-label-definitions-
 *   and with defaults (one error, both places)     disagree, 23, 24
 * Fewer COMPUTE than DATA is only a warning: good/aws-sharded-data.
 */
#include "../../src/icm.h"
#include "tap.h"
#include "../../src/config/config.h"
#include "../../src/config/plan.h"
#include "../../src/state/log.h"
#include "../../src/util/buf.h"
#include "../../src/util/fs.h"
#include "../../src/util/str.h"
#include <dirent.h>

#define DATA_DIR "tests/data/config"

/* is_int/is_str take a plain name: format it here. */
static char tname[512];
#define NAME(...) (snprintf(tname, sizeof(tname), __VA_ARGS__), tname)

static char *slurp(const char *path)
{
	struct buf b;

	buf_init(&b, BUF_CAP_CONFIG);
	if (fs_read_file(path, &b)) {
		buf_release(&b);
		return NULL;
	}
	return buf_take(&b);
}

static void chomp(char *s)
{
	size_t n = s ? strlen(s) : 0;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
}

/* Loads, validates and plans the configuration in the current directory. */
static int run_steps(struct config *cfg, struct plan *p)
{
	char *ov = slurp("overrides.json");
	int r;

	r = config_load(cfg, "defaults.json", "definitions.json");
	if (!r && ov)
		r = config_set_overrides(cfg, cJSON_Parse(ov));
	if (!r)
		r = config_validate(cfg);
	if (!r)
		r = plan_build(cfg, p);
	free(ov);
	return r;
}

static char *nodes_text(const struct plan *p)
{
	struct buf b;
	size_t i;

	buf_init(&b, BUF_CAP_CONFIG);
	for (i = 0; i < p->n; i++) {
		const struct node *n = &p->nodes[i];

		if (buf_addf(&b, "%s %s %s %s\n", n->name, n->role,
			     n->zone ? n->zone : "-",
			     n->mirror_member ? n->mirror_member : "-"))
			return NULL;
	}
	return b.len ? buf_take(&b) : xstrdup("");
}

static void bad_case(const char *name)
{
	struct config cfg;
	struct plan p;
	char *want = slurp("expected"), *secret = slurp("secret");
	const char *got;
	int r;

	chomp(want);
	chomp(secret);
	config_init(&cfg);
	plan_init(&p);
	r = run_steps(&cfg, &p);
	got = report_main_error();
	is_int(r, -1, NAME("bad/%s fails", name));
	is_str(r ? got : NULL, want, NAME("bad/%s message", name));
	if (secret) {
		ok(got && !strstr(got, secret) && !strstr(got, REDACTED),
		   "bad/%s: no secret in the message", name);
	}
	plan_release(&p);
	config_release(&cfg);
	free(want);
	free(secret);
}

static void good_case(const char *name)
{
	struct config cfg;
	struct plan p;
	char *want = slurp("expected-nodes"), *got = NULL;
	int r;

	config_init(&cfg);
	plan_init(&p);
	r = run_steps(&cfg, &p);
	if (!is_int(r, 0, NAME("good/%s loads, validates and plans", name)))
		printf("#   error: %s\n", report_main_error());
	else
		got = nodes_text(&p);
	is_str(got, want, NAME("good/%s nodes", name));
	plan_release(&p);
	config_release(&cfg);
	free(want);
	free(got);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t for_each_case(const char *kind, void (*fn)(const char *))
{
	char *dir = xasprintf("%s/%s", DATA_DIR, kind);
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *e;
	DIR *d = opendir(dir);
	int home = open(".", O_RDONLY | O_DIRECTORY);

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);

		if (chdir(path) == 0)
			fn(names[i]);
		if (fchdir(home))
			abort();
		free(path);
		free(names[i]);
	}
	close(home);
	free(names);
	free(dir);
	return n;
}

int main(void)
{
	size_t n;

	n = for_each_case("bad", bad_case);
	ok(n >= 45, "at least 45 bad configurations (%zu)", n);
	n = for_each_case("good", good_case);
	ok(n >= 3, "at least 3 good configurations (%zu)", n);
	secrets_wipe();
	return done_testing();
}
