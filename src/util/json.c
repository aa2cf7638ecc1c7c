/* json.c: JSON files with line:column errors (see json.h). */
#include "json.h"
#include "buf.h"
#include "fs.h"
#include "report.h"

void json_offset_to_linecol(const char *text, size_t off, int *line,
			    int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int json_read_file(const char *path, size_t cap, cJSON **out)
{
	const char *end = NULL;
	struct buf b;
	cJSON *root;
	int line, col;

	buf_init(&b, cap);
	if (fs_read_file(path, &b)) {
		buf_release(&b);
		return error("cannot read '%s': %s", path,
			     fs_strerror(errno));
	}
	/* The length includes the NUL: cJSON checks for it past the value. */
	root = cJSON_ParseWithLengthOpts(b.data, b.len + 1, &end, 1);
	if (!root) {
		size_t off = end ? (size_t)(end - b.data) : 0;

		json_offset_to_linecol(b.data, off, &line, &col);
		buf_release(&b);
		return error("%s:%d:%d: malformed JSON", path, line, col);
	}
	buf_release(&b);
	*out = root;
	return 0;
}

int json_write_file(const char *path, const cJSON *item, mode_t mode)
{
	char *text = cJSON_Print(item);
	size_t len;
	int ret;

	if (!text)
		return error("cannot serialise '%s': out of memory", path);
	len = strlen(text);
	text[len] = '\n';	/* replaces the NUL; length passed below */
	ret = fs_write_atomic(path, text, len + 1, mode);
	if (ret)
		error("cannot write '%s': %s", path, strerror(errno));
	free(text);
	return ret;
}
