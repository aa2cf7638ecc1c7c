/*
 * qlist.c: fields of an `iris qlist` line (see qlist.h).
 */
#include "qlist.h"
#include "../util/str.h"

char *iris_qlist_field(const char *line, int field)
{
	int f;

	for (f = 1; line && f < field; f++) {
		line = strchr(line, '^');
		if (line)
			line++;
	}
	return line ? xstrndup(line, strcspn(line, "^\r\n")) : xstrdup("");
}

bool iris_qlist_running(const char *line)
{
	char *s = iris_qlist_field(line, QLIST_STATUS);
	bool up = str_starts(s, "running");

	free(s);
	return up;
}
