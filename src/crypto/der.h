/*
 * der.h: a small DER encoder (X.509, PKCS#8/#12, JKS bodies) writing into
 * a growable buffer with a hard cap, and a reader for the certificates icm
 * reads back (its own and the ones a user supplies).
 *
 * Errors are sticky, as in BearSSL's encoders: every adder returns nothing,
 * and the first failure (over the cap, out of memory, nesting deeper than
 * DER_MAX_DEPTH, an end without a begin, a bad OID or time) marks the
 * encoder; der_error() says whether anything went wrong, so a whole
 * structure is written and checked once.
 *
 * Constructed values are written with der_begin(tag) ... der_end(): the
 * length is filled in at der_end(), moving the contents when the length
 * needs more than one byte.
 *
 * Lifecycle: der_init() (no allocation), der_release() wipes (keys pass
 * through here) and frees, der_take() hands the bytes to the caller.
 */
#ifndef ICM_DER_H
#define ICM_DER_H

#include "../icm.h"

#define DER_MAX_DEPTH 16
#define DER_CAP_CERT (64u << 10)	/* one certificate or key */
#define DER_CAP_STORE (1u << 20)	/* a PKCS#12 or JKS file */

/* Universal tags. */
#define DER_BOOLEAN	0x01
#define DER_INTEGER	0x02
#define DER_BIT_STRING	0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL	0x05
#define DER_OID		0x06
#define DER_UTF8	0x0c
#define DER_PRINTABLE	0x13
#define DER_IA5		0x16
#define DER_UTCTIME	0x17
#define DER_GENTIME	0x18
#define DER_BMP		0x1e
#define DER_SEQUENCE	0x30
#define DER_SET		0x31
/* Context-specific [n]: constructed (explicit) and primitive (implicit). */
#define DER_CTX(n)	(0xa0 | (n))
#define DER_CTX_PRIM(n)	(0x80 | (n))

struct der {
	uint8_t *data;
	size_t len, alloc, cap;
	bool err;
	unsigned depth;
	size_t open[DER_MAX_DEPTH];	/* offsets of the open values */
};

void der_init(struct der *d, size_t cap);
void der_release(struct der *d);
/* The encoded bytes (malloc'd, *len set); NULL if the encoder failed.
 * The encoder is left empty either way. */
uint8_t *der_take(struct der *d, size_t *len);
/* True if any adder failed or a der_begin() is still open. */
bool der_error(const struct der *d);

/*
 * Encodes a DER length into out (room for 9 bytes); returns the number of
 * bytes: 1 below 128, else 0x80 | n followed by n big-endian bytes.
 */
size_t der_length(uint8_t *out, size_t len);

void der_raw(struct der *d, const void *p, size_t n);
void der_tlv(struct der *d, unsigned tag, const void *p, size_t n);
void der_begin(struct der *d, unsigned tag);
void der_end(struct der *d);

/* INTEGER from a signed value (two's complement, minimal). */
void der_int(struct der *d, int64_t v);
/* INTEGER from an unsigned big-endian magnitude: leading zeros dropped, a
 * 0x00 sign byte added when the top bit is set (RSA moduli, serials). */
void der_uint(struct der *d, const uint8_t *be, size_t n);
void der_bool(struct der *d, bool v);
void der_null(struct der *d);
/* OBJECT IDENTIFIER from dotted text, e.g. "1.2.840.113549.1.1.11". */
void der_oid(struct der *d, const char *dotted);
/* BIT STRING of whole bytes (0 unused bits). */
void der_bits(struct der *d, const void *p, size_t n);
/* BIT STRING of named bits (bit 0 = first bit: keyUsage digitalSignature)
 * with trailing zero bits dropped, as DER requires. */
void der_named_bits(struct der *d, unsigned bits);
void der_octets(struct der *d, const void *p, size_t n);
/* A string with the given tag (DER_UTF8, DER_PRINTABLE, DER_IA5). */
void der_str(struct der *d, unsigned tag, const char *s);
/* BMPString (UTF-16BE) of an ASCII string, as PKCS#12 friendlyName. */
void der_bmp(struct der *d, const char *ascii);
/* A certificate time: UTCTime YYMMDDHHMMSSZ up to 2049, GeneralizedTime
 * YYYYMMDDHHMMSSZ from 2050 (RFC 5280 4.1.2.5). */
void der_time(struct der *d, time_t t);

/*
 * The reader walks DER in a buffer it does not own.  Every value is
 * checked against its enclosing value: one-byte tags only, definite
 * lengths in at most DER_READ_MAX_LENBYTES bytes and minimal, never past
 * the end.  Errors are sticky as in the encoder: the first failed read
 * empties the reader and marks it; der_read_error() tells.
 */
#define DER_READ_MAX_LENBYTES 4

struct der_reader {
	const uint8_t *p;
	size_t len;
	bool err;
};

void der_read_init(struct der_reader *r, const void *p, size_t len);
bool der_read_error(const struct der_reader *r);
/* Bytes left (false after an error). */
bool der_read_more(const struct der_reader *r);
/* The next value's tag, or -1 at the end or after an error. */
int der_read_peek(const struct der_reader *r);
/*
 * Reads the next value, which must have `tag`; its contents go to *in
 * (NULL skips them).  False, and the reader failed, otherwise.
 */
bool der_read(struct der_reader *r, unsigned tag, struct der_reader *in);
/* As der_read() when the next tag is `tag`; false, reader unchanged, when
 * it is not (OPTIONAL and DEFAULT fields). */
bool der_read_opt(struct der_reader *r, unsigned tag, struct der_reader *in);
/* Reads the next value (of `tag`) whole, header included, into *p, *n
 * (a Name or a SubjectPublicKeyInfo to compare). */
bool der_read_raw(struct der_reader *r, unsigned tag, const uint8_t **p,
		  size_t *n);
/* A UTCTime or GeneralizedTime in DER's Z form, as time_t.  UTCTime years
 * 50..99 are 19xx (RFC 5280 4.1.2.5). */
bool der_read_time(struct der_reader *r, time_t *t);

#endif
