/*
 * fuzz-journal: a state directory's journal read back when provision or
 * unprovision resumes (src/state/journal.c), every key's state looked up.
 */
#include "fuzz.h"
#include "../../src/state/journal.h"

static void look(void *arg, const char *key, enum journal_state st,
		 const char *id)
{
	const struct journal *j = arg;

	(void)journal_state(j, key);
	(void)journal_id(j, key);
	(void)journal_token(j, key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file(JOURNAL_FILE, data, size);
	struct journal *j = NULL;

	if (journal_open(fuzz_dir(), &j) == 0) {
		journal_each(j, look, j);
		journal_close(j);
	}
	free(path);
	fuzz_reset();
	return 0;
}
