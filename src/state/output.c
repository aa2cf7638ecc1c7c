/* output.c: response.json and console tables (see output.h). */
#include "output.h"
#include "log.h"
#include "../util/fs.h"
#include "../util/str.h"

int output_response(const cJSON *result, int status)
{
	cJSON *doc = NULL;
	char *text = NULL, *clean = NULL;
	int ret = -1;

	if (status && !result) {
		const char *msg = report_main_error();

		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "error", msg ? msg : "failed");
		result = doc;
	} else if (!result) {
		doc = cJSON_CreateArray();
		result = doc;
	}
	text = cJSON_Print(result);
	if (!text) {
		error("cannot serialise %s", RESPONSE_FILE);
		goto out;
	}
	clean = secret_redact(text);
	if (fs_write_atomic(RESPONSE_FILE, clean, strlen(clean), 0600)) {
		error("cannot write %s: %s", RESPONSE_FILE, fs_strerror(errno));
		goto out;
	}
	ret = 0;
out:
	freezero_str(text);
	free(clean);
	cJSON_Delete(doc);
	return ret;
}

void table_init(struct table *t, const char *const *headers, size_t ncols)
{
	t->ncols = ncols;
	t->nrows = 0;
	t->cells = NULL;
	t->headers = headers;
}

void table_add(struct table *t, const char *const *row)
{
	size_t i;

	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols *
			    sizeof(*t->cells));
	for (i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] =
			xstrdup(row[i] ? row[i] : "");
	t->nrows++;
}

static void print_row(const struct table *t, const size_t *w,
		      const char *const *cells)
{
	char line[4096];
	size_t i, pos = 0;

	for (i = 0; i < t->ncols && pos < sizeof(line) - 1; i++) {
		int n = snprintf(line + pos, sizeof(line) - pos, "%-*s%s",
				 i + 1 < t->ncols ? (int)w[i] : 0, cells[i],
				 i + 1 < t->ncols ? " " : "");

		if (n < 0)
			break;
		pos += (size_t)n;
	}
	while (pos > 0 && line[pos - 1] == ' ')
		line[--pos] = '\0';
	say("%s", line);
}

void table_print(const struct table *t)
{
	size_t *w = xcalloc(t->ncols, sizeof(*w));
	const char **dashes = xcalloc(t->ncols, sizeof(*dashes));
	size_t r, i;

	for (i = 0; i < t->ncols; i++) {
		w[i] = strlen(t->headers[i]);
		for (r = 0; r < t->nrows; r++) {
			size_t l = strlen(t->cells[r * t->ncols + i]);

			if (l > w[i])
				w[i] = l;
		}
		dashes[i] = xstrndup("----------------------------------------"
				     "----------------------------------------",
				     strlen(t->headers[i]));
	}
	print_row(t, w, t->headers);
	print_row(t, w, dashes);
	for (r = 0; r < t->nrows; r++)
		print_row(t, w, (const char *const *)&t->cells[r * t->ncols]);
	for (i = 0; i < t->ncols; i++)
		free((char *)dashes[i]);
	free(dashes);
	free(w);
}

void table_release(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}
