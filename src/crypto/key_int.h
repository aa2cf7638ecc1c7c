/*
 * key_int.h: what key.c (generation, encodings, the curves) and
 * key_read.c (reading private keys back) share (not for callers: key.h is
 * the interface).
 */
#ifndef ICM_CRYPTO_KEY_INT_H
#define ICM_CRYPTO_KEY_INT_H

#include "key.h"

/* A curve icm knows by name; it signs with the ones taken. */
struct curve {
	int id;			/* BR_EC_* */
	const char *name;	/* as icm's messages say it */
	const char *ssh;	/* OpenSSH's curve name */
	uint8_t oid[8];
	size_t oid_len;
	bool taken;		/* icm signs with it */
};

/* The curve whose OID (the value of a DER OBJECT IDENTIFIER) is oid, or
 * NULL if icm does not know it. */
const struct curve *key_curve_by_oid(const struct der_reader *oid);

/* The curve OpenSSH names p (len bytes, e.g. "nistp256"), or NULL. */
const struct curve *key_curve_by_ssh(const uint8_t *p, size_t len);

#endif
