/* regex_cost.c: what an extended regular expression costs regcomp (regex_cost.h). */
#include "regex_cost.h"
#include <ctype.h>

/* One open group: positions so far, and those of the last piece. */
struct re_frame {
	size_t sum, last;
};

static const char too_big[] = "more than 1000 positions once its "
			      "repetitions are expanded";

/* Past a bracket expression at p ('['); stops at the end if unclosed. */
static const char *skip_bracket(const char *p)
{
	const char *close;

	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (p[0] == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.')) {
			char end[3] = { p[1], ']', '\0' };

			close = strstr(p + 2, end);
			if (!close)
				return p + strlen(p);
			p = close + 2;
			continue;
		}
		p++;
	}
	return *p ? p + 1 : p;
}

/* A count of at most REGEX_MAX_BOUND digits' worth; -1 when larger. */
static long bound(const char **p)
{
	long v = 0;

	while (isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		if (v > REGEX_MAX_BOUND)
			return -1;
		(*p)++;
	}
	return v;
}

/*
 * {n}, {n,} or {n,m} at p: 1 and how many copies TRE makes of the piece
 * before it (*copies, at least 1), with *p past the '}'; 0 when p holds
 * no such interval (regcomp judges it); -1 when a count is over the cap.
 */
static int interval(const char **p, size_t *copies)
{
	const char *q = *p + 1;
	long lo, hi;

	if (!isdigit((unsigned char)*q))
		return 0;
	lo = bound(&q);
	if (lo < 0)
		return -1;
	hi = lo;
	if (*q == ',') {
		q++;
		hi = isdigit((unsigned char)*q) ? bound(&q) : lo + 1;
		if (hi < 0)
			return -1;
	}
	if (*q != '}')
		return 0;
	*p = q + 1;
	*copies = (size_t)(hi > lo ? hi : lo);
	if (!*copies)
		*copies = 1;
	return 1;
}

/* A piece of size n ends the sequence in f; false when it is too big. */
static bool add_piece(struct re_frame *f, size_t n)
{
	f->sum += n;
	f->last = n;
	return f->sum <= REGEX_MAX_SIZE;
}

const char *regex_cost_check(const char *re)
{
	struct re_frame st[REGEX_MAX_LEN + 1];
	const char *p = re;
	size_t depth = 0, copies;
	int rc;

	if (strlen(re) > REGEX_MAX_LEN)
		return "longer than 256 characters";
	st[0].sum = st[0].last = 0;
	while (*p) {
		switch (*p) {
		case '(':
			st[++depth].sum = 0;
			st[depth].last = 0;
			p++;
			continue;
		case ')':
			p++;
			if (!depth) {
				/* Closes a group the caller opened around it
				 * (select.c compiles ^(re)$). */
				st[0].last = st[0].sum;
				continue;
			}
			depth--;
			if (!add_piece(&st[depth], st[depth + 1].sum))
				return too_big;
			continue;
		case '|':
			st[depth].last = 0;
			p++;
			continue;
		case '*': case '+': case '?':
			p++;
			continue;
		case '{':
			rc = interval(&p, &copies);
			if (rc < 0)
				return "a repetition count over 255";
			if (!rc) {
				p++;
				break;
			}
			/* Checked one factor at a time: no overflow. */
			st[depth].sum += st[depth].last * (copies - 1);
			st[depth].last *= copies;
			if (st[depth].sum > REGEX_MAX_SIZE)
				return too_big;
			continue;
		case '[':
			p = skip_bracket(p);
			break;
		case '\\':
			p += p[1] ? 2 : 1;
			break;
		default:
			p++;
			break;
		}
		if (!add_piece(&st[depth], 1))
			return too_big;
	}
	/* Groups left open are closed by the caller's or refused. */
	for (; depth; depth--)
		if (!add_piece(&st[depth - 1], st[depth].sum))
			return too_big;
	return NULL;
}
