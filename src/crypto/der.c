/* der.c: the DER encoder (see der.h). */
#include "der.h"

void der_init(struct der *d, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->cap = cap;
}

void der_release(struct der *d)
{
	if (d->data)
		explicit_bzero(d->data, d->alloc);
	free(d->data);
	der_init(d, d->cap);
}

uint8_t *der_take(struct der *d, size_t *len)
{
	uint8_t *p = NULL;

	if (!der_error(d)) {
		p = d->data ? d->data : calloc(1, 1);
		*len = d->len;
		d->data = NULL;
	}
	der_release(d);
	return p;
}

bool der_error(const struct der *d)
{
	return d->err || d->depth;
}

static void fail(struct der *d)
{
	d->err = true;
}

/* Makes room for n more bytes; false (and the encoder failed) if not. */
static bool room(struct der *d, size_t n)
{
	size_t want, a;
	uint8_t *p;

	if (d->err)
		return false;
	if (n > d->cap || d->len > d->cap - n) {
		fail(d);
		return false;
	}
	want = d->len + n;
	if (want <= d->alloc)
		return true;
	a = d->alloc ? d->alloc : 256;
	while (a < want)
		a *= 2;
	if (a > d->cap)
		a = d->cap;
	/* Not realloc: the old block may hold key bytes, wipe it. */
	p = malloc(a);
	if (!p) {
		fail(d);
		return false;
	}
	if (d->data) {
		memcpy(p, d->data, d->len);
		explicit_bzero(d->data, d->alloc);
		free(d->data);
	}
	d->data = p;
	d->alloc = a;
	return true;
}

size_t der_length(uint8_t *out, size_t len)
{
	size_t n = 0, t, i;

	if (len < 0x80) {
		out[0] = (uint8_t)len;
		return 1;
	}
	for (t = len; t; t >>= 8)
		n++;
	out[0] = (uint8_t)(0x80 | n);
	for (i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	return 1 + n;
}

void der_raw(struct der *d, const void *p, size_t n)
{
	if (!room(d, n))
		return;
	if (n)
		memcpy(d->data + d->len, p, n);
	d->len += n;
}

static void header(struct der *d, unsigned tag, size_t n)
{
	uint8_t h[10];

	h[0] = (uint8_t)tag;
	der_raw(d, h, 1 + der_length(h + 1, n));
}

void der_tlv(struct der *d, unsigned tag, const void *p, size_t n)
{
	header(d, tag, n);
	der_raw(d, p, n);
}

void der_begin(struct der *d, unsigned tag)
{
	uint8_t h[2] = { (uint8_t)tag, 0 };

	if (d->depth == DER_MAX_DEPTH) {
		fail(d);
		return;
	}
	der_raw(d, h, 2);
	if (d->err)
		return;
	d->open[d->depth++] = d->len - 2;
}

void der_end(struct der *d)
{
	uint8_t l[9];
	size_t start, body, n;

	if (!d->depth) {
		fail(d);
		return;
	}
	start = d->open[--d->depth];
	if (d->err)
		return;
	body = d->len - start - 2;
	n = der_length(l, body);
	if (n > 1) {
		if (!room(d, n - 1))
			return;
		memmove(d->data + start + 1 + n, d->data + start + 2, body);
		d->len += n - 1;
	}
	memcpy(d->data + start + 1, l, n);
}

void der_int(struct der *d, int64_t v)
{
	uint8_t b[8];
	size_t i = 0;
	int k;

	for (k = 7; k >= 0; k--)
		b[7 - k] = (uint8_t)((uint64_t)v >> (8 * k));
	/* Drop a leading byte when the next byte's top bit keeps the sign. */
	while (i < 7 && ((b[i] == 0x00 && !(b[i + 1] & 0x80)) ||
			 (b[i] == 0xff && (b[i + 1] & 0x80))))
		i++;
	der_tlv(d, DER_INTEGER, b + i, 8 - i);
}

void der_uint(struct der *d, const uint8_t *be, size_t n)
{
	static const uint8_t zero = 0;

	while (n && !*be) {
		be++;
		n--;
	}
	if (!n) {
		der_tlv(d, DER_INTEGER, &zero, 1);
		return;
	}
	header(d, DER_INTEGER, n + (be[0] >> 7));
	if (be[0] & 0x80)
		der_raw(d, &zero, 1);
	der_raw(d, be, n);
}

void der_bool(struct der *d, bool v)
{
	uint8_t b = v ? 0xff : 0x00;

	der_tlv(d, DER_BOOLEAN, &b, 1);
}

void der_null(struct der *d)
{
	der_tlv(d, DER_NULL, NULL, 0);
}

/* Appends arc v in base 128 (high bit set on all but the last byte). */
static size_t base128(uint8_t *out, uint64_t v)
{
	uint8_t t[10];
	size_t n = 0, i;

	do {
		t[n++] = (uint8_t)(v & 0x7f);
		v >>= 7;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(t[n - 1 - i] | (i + 1 < n ? 0x80 : 0));
	return n;
}

void der_oid(struct der *d, const char *dotted)
{
	uint8_t out[128];
	uint64_t arcs[2] = { 0, 0 };
	size_t n = 0;
	int narcs = 0;
	const char *p = dotted;

	while (*p) {
		uint64_t v = 0;

		if (*p < '0' || *p > '9' || (*p == '0' && p[1] >= '0' &&
					     p[1] <= '9'))
			goto bad;
		while (*p >= '0' && *p <= '9') {
			if (v > (UINT64_MAX >> 8) / 10)
				goto bad;
			v = v * 10 + (uint64_t)(*p++ - '0');
		}
		if (*p == '.' && p[1])
			p++;
		else if (*p)
			goto bad;
		if (narcs < 2) {
			arcs[narcs++] = v;
			if (narcs < 2)
				continue;
			/* The first two arcs share a subidentifier. */
			if (arcs[0] > 2 || (arcs[0] < 2 && arcs[1] > 39))
				goto bad;
			v = arcs[0] * 40 + arcs[1];
		}
		if (n + 10 > sizeof(out))
			goto bad;
		n += base128(out + n, v);
	}
	if (narcs < 2)
		goto bad;
	der_tlv(d, DER_OID, out, n);
	return;
bad:
	fail(d);
}

void der_bits(struct der *d, const void *p, size_t n)
{
	static const uint8_t unused = 0;

	header(d, DER_BIT_STRING, n + 1);
	der_raw(d, &unused, 1);
	der_raw(d, p, n);
}

void der_named_bits(struct der *d, unsigned bits)
{
	uint8_t b[1 + sizeof(bits)] = { 0 };
	unsigned i, last = 0;
	size_t nbytes;

	for (i = 0; i < 8 * sizeof(bits); i++)
		if (bits & (1u << i)) {
			b[1 + i / 8] |= (uint8_t)(0x80 >> (i % 8));
			last = i + 1;
		}
	nbytes = (last + 7) / 8;
	b[0] = (uint8_t)(nbytes * 8 - last);
	der_tlv(d, DER_BIT_STRING, b, 1 + nbytes);
}

void der_octets(struct der *d, const void *p, size_t n)
{
	der_tlv(d, DER_OCTET_STRING, p, n);
}

void der_str(struct der *d, unsigned tag, const char *s)
{
	der_tlv(d, tag, s, strlen(s));
}

void der_bmp(struct der *d, const char *ascii)
{
	size_t i, n = strlen(ascii);

	header(d, DER_BMP, 2 * n);
	for (i = 0; i < n; i++) {
		uint8_t c[2] = { 0, (uint8_t)ascii[i] };

		if (c[1] & 0x80)
			fail(d);
		der_raw(d, c, 2);
	}
}

void der_time(struct der *d, time_t t)
{
	struct tm tm;
	char s[32];
	int n;

	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1950 ||
	    tm.tm_year + 1900 > 9999) {
		fail(d);
		return;
	}
	if (tm.tm_year + 1900 < 2050)
		n = snprintf(s, sizeof(s), "%02d%02d%02d%02d%02d%02dZ",
			     tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec);
	else
		n = snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02dZ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec);
	der_tlv(d, tm.tm_year + 1900 < 2050 ? DER_UTCTIME : DER_GENTIME, s,
		(size_t)n);
}

void der_read_init(struct der_reader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = p ? len : 0;
	r->err = false;
}

bool der_read_error(const struct der_reader *r)
{
	return r->err;
}

bool der_read_more(const struct der_reader *r)
{
	return !r->err && r->len;
}

static bool read_fail(struct der_reader *r)
{
	r->err = true;
	r->p = NULL;
	r->len = 0;
	return false;
}

/* Parses the header at r: tag, header size, contents length. */
static bool read_header(const struct der_reader *r, unsigned *tag,
			size_t *hlen, size_t *clen)
{
	size_t n, i, v = 0;

	if (r->err || r->len < 2 || (r->p[0] & 0x1f) == 0x1f)
		return false;
	*tag = r->p[0];
	if (!(r->p[1] & 0x80)) {
		*hlen = 2;
		*clen = r->p[1];
	} else {
		n = r->p[1] & 0x7f;
		/* No indefinite form; no leading zero; long form >= 128. */
		if (!n || n > DER_READ_MAX_LENBYTES || r->len < 2 + n ||
		    !r->p[2])
			return false;
		for (i = 0; i < n; i++)
			v = (v << 8) | r->p[2 + i];
		if (v < 0x80)
			return false;
		*hlen = 2 + n;
		*clen = v;
	}
	return *clen <= r->len - *hlen;
}

int der_read_peek(const struct der_reader *r)
{
	return r->err || !r->len ? -1 : r->p[0];
}

bool der_read_raw(struct der_reader *r, unsigned tag, const uint8_t **p,
		  size_t *n)
{
	unsigned t;
	size_t h, c;

	if (!read_header(r, &t, &h, &c) || t != tag)
		return read_fail(r);
	*p = r->p;
	*n = h + c;
	r->p += h + c;
	r->len -= h + c;
	return true;
}

bool der_read(struct der_reader *r, unsigned tag, struct der_reader *in)
{
	const uint8_t *p;
	size_t n, h, c;
	unsigned t;

	if (!read_header(r, &t, &h, &c) || !der_read_raw(r, tag, &p, &n))
		return read_fail(r);
	if (in)
		der_read_init(in, p + h, c);
	return true;
}

bool der_read_opt(struct der_reader *r, unsigned tag, struct der_reader *in)
{
	return der_read_peek(r) == (int)tag && der_read(r, tag, in);
}

/* n decimal digits at s into *v. */
static bool digits(const uint8_t *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

bool der_read_time(struct der_reader *r, time_t *t)
{
	struct der_reader in;
	struct tm tm;
	const uint8_t *s;
	int year, f[5];
	size_t y, i;
	bool utc = der_read_peek(r) == DER_UTCTIME;

	if (!der_read(r, utc ? DER_UTCTIME : DER_GENTIME, &in))
		return false;
	y = utc ? 2 : 4;
	s = in.p;
	if (in.len != y + 11 || s[in.len - 1] != 'Z' || !digits(s, y, &year))
		return read_fail(r);
	if (utc)
		year += year < 50 ? 2000 : 1900;
	for (i = 0; i < 5; i++)
		if (!digits(s + y + 2 * i, 2, &f[i]))
			return read_fail(r);
	if (f[0] < 1 || f[0] > 12 || f[1] < 1 || f[1] > 31 || f[2] > 23 ||
	    f[3] > 59 || f[4] > 60)
		return read_fail(r);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = f[0] - 1;
	tm.tm_mday = f[1];
	tm.tm_hour = f[2];
	tm.tm_min = f[3];
	tm.tm_sec = f[4];
	*t = timegm(&tm);
	return true;
}
