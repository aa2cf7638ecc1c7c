/* t-der.c: the DER encoder (crypto/der) against known encodings. */
#include "icm.h"
#include "crypto/der.h"
#include "tap.h"

/* Compares the encoder's bytes (as hex) with want, then resets it. */
static void is_hex(struct der *d, const char *want, const char *name)
{
	static char got[1 << 18];
	size_t i, n = 0;

	if (der_error(d)) {
		is_str("(encoder failed)", want, name);
	} else {
		for (i = 0; i < d->len && n + 3 < sizeof(got); i++)
			n += (size_t)snprintf(got + n, sizeof(got) - n, "%02x",
					      d->data[i]);
		got[n] = '\0';
		is_str(got, want, name);
	}
	der_release(d);
}

/* The hex of a TLV header for tag and length n, followed by n bytes of c. */
static char *tlv_hex(const char *head, size_t n, const char *byte)
{
	static char s[1 << 18];
	size_t k = strlen(head), i;

	memcpy(s, head, k);
	for (i = 0; i < n; i++, k += 2)
		memcpy(s + k, byte, 2);
	s[k] = '\0';
	return s;
}

static void lengths(void)
{
	static uint8_t zeros[70000];
	static const struct {
		size_t n;
		const char *head;
	} cases[] = {
		{ 0, "0400" }, { 1, "0401" }, { 127, "047f" },
		{ 128, "048180" }, { 255, "0481ff" }, { 256, "04820100" },
		{ 65535, "0482ffff" }, { 65536, "0483010000" },
		{ 70000, "0483011170" },
	};
	struct der d;
	uint8_t l[9];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char name[64];

		der_init(&d, 1 << 20);
		der_octets(&d, zeros, cases[i].n);
		snprintf(name, sizeof(name), "OCTET STRING of %zu bytes",
			 cases[i].n);
		is_hex(&d, tlv_hex(cases[i].head, cases[i].n, "00"), name);
	}
	is_int(der_length(l, (size_t)1 << 24), 5, "2^24: 0x84 and 4 bytes");
	ok(l[0] == 0x84 && l[1] == 1 && l[2] == 0 && l[4] == 0,
	   "2^24 encodes as 84 01 00 00 00");
}

static void nesting(void)
{
	static uint8_t b[300];
	struct der d;
	char want[2048];

	memset(b, 0xab, sizeof(b));
	der_init(&d, 4096);
	der_begin(&d, DER_SEQUENCE);
	der_end(&d);
	is_hex(&d, "3000", "empty SEQUENCE");

	der_init(&d, 4096);
	der_begin(&d, DER_SEQUENCE);
	der_octets(&d, b, 200);
	der_end(&d);
	snprintf(want, sizeof(want), "3081cb%s", tlv_hex("0481c8", 200, "ab"));
	is_hex(&d, want, "SEQUENCE grows a one-byte long form (203)");

	der_init(&d, 4096);
	der_begin(&d, DER_SEQUENCE);
	der_begin(&d, DER_CTX(0));
	der_begin(&d, DER_SET);
	der_octets(&d, b, 300);
	der_end(&d);
	der_end(&d);
	der_int(&d, 5);
	der_end(&d);
	/* 30 82 0139 | a0 82 0134 | 31 82 0130 | 04 82 012c ... | 02 01 05 */
	snprintf(want, sizeof(want), "3082013ba082013431820130%s020105",
		 tlv_hex("0482012c", 300, "ab"));
	is_hex(&d, want, "three nested two-byte lengths, then a sibling");

	der_init(&d, 4096);
	der_begin(&d, DER_SEQUENCE);
	der_end(&d);
	der_end(&d);
	ok(der_error(&d), "der_end without der_begin fails");
	der_release(&d);

	der_init(&d, 4096);
	der_begin(&d, DER_SEQUENCE);
	ok(der_error(&d), "an open SEQUENCE is an error until closed");
	der_end(&d);
	ok(!der_error(&d), "closed: no error");
	der_release(&d);

	der_init(&d, 4096);
	for (int i = 0; i <= DER_MAX_DEPTH; i++)
		der_begin(&d, DER_SEQUENCE);
	ok(d.err, "nesting deeper than DER_MAX_DEPTH fails");
	der_release(&d);

	der_init(&d, 10);
	der_octets(&d, b, 8);
	ok(!der_error(&d), "10 bytes fit a cap of 10");
	der_octets(&d, b, 0);
	ok(der_error(&d), "past the cap fails and stays failed");
	{
		size_t n = 99;

		ok(der_take(&d, &n) == NULL && n == 99,
		   "take of a failed encoder gives nothing");
	}
	der_init(&d, 300);
	der_begin(&d, DER_SEQUENCE);
	der_octets(&d, b, 294);
	der_end(&d);
	ok(der_error(&d), "a length that no longer fits the cap fails");
	der_release(&d);
}

static void oids(void)
{
	static const struct {
		const char *oid, *hex;
	} good[] = {
		{ "1.2.840.113549.1.1.11", "06092a864886f70d01010b" },
		{ "1.2.840.10045.3.1.7", "06082a8648ce3d030107" },
		{ "2.5.29.17", "0603551d11" },
		{ "1.3.6.1.4.1.311.21.20", "06092b0601040182371514" },
		{ "2.16.840.1.101.3.4.1.42", "060960864801650304012a" },
		{ "0.0", "060100" },
		{ "2.999.3", "0603883703" },
		{ "1.2.4294967296", "06062a9080808000" },
	};
	static const char *const bad[] = {
		"", "1", "3.1", "1.40", "1..2", "1.2.", ".1.2", "a.b", "1.02",
		"1.2.99999999999999999999999",
	};
	struct der d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		der_init(&d, 256);
		der_oid(&d, good[i].oid);
		is_hex(&d, good[i].hex, good[i].oid);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		der_init(&d, 256);
		der_oid(&d, bad[i]);
		ok(der_error(&d), "bad OID '%s' refused", bad[i]);
		der_release(&d);
	}
}

static void integers(void)
{
	static const struct {
		int64_t v;
		const char *hex;
	} ints[] = {
		{ 0, "020100" }, { 1, "020101" }, { 127, "02017f" },
		{ 128, "02020080" }, { 255, "020200ff" }, { 256, "02020100" },
		{ 32767, "02027fff" }, { 32768, "0203008000" },
		{ -1, "0201ff" }, { -128, "020180" }, { -129, "0202ff7f" },
		{ -256, "0202ff00" },
		{ INT64_MAX, "02087fffffffffffffff" },
		{ INT64_MIN, "02088000000000000000" },
	};
	static const struct {
		uint8_t be[4];
		size_t n;
		const char *hex;
	} uints[] = {
		{ { 0x7f }, 1, "02017f" },
		{ { 0x80 }, 1, "02020080" },
		{ { 0x00, 0x00, 0x80 }, 3, "02020080" },
		{ { 0x00, 0x7f, 0xff }, 3, "02027fff" },
		{ { 0x00, 0x00 }, 2, "020100" },
		{ { 0 }, 0, "020100" },
		{ { 0xff, 0xff, 0xff, 0xff }, 4, "020500ffffffff" },
	};
	struct der d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ints); i++) {
		char name[64];

		der_init(&d, 64);
		der_int(&d, ints[i].v);
		snprintf(name, sizeof(name), "INTEGER %lld",
			 (long long)ints[i].v);
		is_hex(&d, ints[i].hex, name);
	}
	for (i = 0; i < ARRAY_SIZE(uints); i++) {
		char name[64];

		der_init(&d, 64);
		der_uint(&d, uints[i].be, uints[i].n);
		snprintf(name, sizeof(name), "unsigned INTEGER -> %s",
			 uints[i].hex);
		is_hex(&d, uints[i].hex, name);
	}
}

static void times(void)
{
	struct der d;

	der_init(&d, 64);
	der_time(&d, 0);
	is_hex(&d, "170d3730303130313030303030305a", "1970: UTCTime");
	der_init(&d, 64);
	der_time(&d, 2524607999);	/* 2049-12-31 23:59:59 */
	is_hex(&d, "170d3439313233313233353935395a",
	       "2049-12-31 23:59:59: UTCTime 491231235959Z");
	der_init(&d, 64);
	der_time(&d, 2524608000);	/* 2050-01-01 00:00:00 */
	is_hex(&d, "180f32303530303130313030303030305a",
	       "2050-01-01 00:00:00: GeneralizedTime 20500101000000Z");
	der_init(&d, 64);
	der_time(&d, -631152001);	/* 1949-12-31 23:59:59 */
	ok(der_error(&d), "before 1950 has no certificate time");
	der_release(&d);
}

static void others(void)
{
	struct der d;

	der_init(&d, 64);
	der_bool(&d, true);
	der_bool(&d, false);
	der_null(&d);
	is_hex(&d, "0101ff0101000500", "BOOLEAN TRUE, FALSE, NULL");
	der_init(&d, 64);
	der_named_bits(&d, 1u << 0 | 1u << 2);
	is_hex(&d, "030205a0", "keyUsage digitalSignature+keyEncipherment");
	der_init(&d, 64);
	der_named_bits(&d, 1u << 0 | 1u << 5 | 1u << 6);
	is_hex(&d, "03020186", "keyUsage digitalSignature+keyCertSign+cRLSign");
	der_init(&d, 64);
	der_named_bits(&d, 1u << 8);
	is_hex(&d, "0303070080", "keyUsage decipherOnly (bit 8)");
	der_init(&d, 64);
	der_named_bits(&d, 0);
	is_hex(&d, "030100", "no bits");
	der_init(&d, 64);
	der_bits(&d, "\x04\x01", 2);
	is_hex(&d, "0303000401", "BIT STRING of bytes");
	der_init(&d, 64);
	der_str(&d, DER_PRINTABLE, "US");
	der_str(&d, DER_UTF8, "\xc3\xa9");
	der_str(&d, DER_IA5, "a.b");
	is_hex(&d, "130255530c02c3a91603612e62", "strings");
	der_init(&d, 64);
	der_str(&d, DER_IA5, "a.b");
	is_hex(&d, "1603612e62", "IA5String");
	der_init(&d, 64);
	der_bmp(&d, "ab");
	is_hex(&d, "1e0400610062", "BMPString");
	der_init(&d, 64);
	der_tlv(&d, DER_CTX_PRIM(2), "x", 1);
	is_hex(&d, "820178", "implicit [2]");
}

/* Reads hex bytes into a static buffer. */
static const uint8_t *unhex(const char *h, size_t *n)
{
	static uint8_t b[1024];
	unsigned v;

	for (*n = 0; h[0] && h[1] && *n < sizeof(b); h += 2) {
		if (sscanf(h, "%2x", &v) != 1)
			break;
		b[(*n)++] = (uint8_t)v;
	}
	return b;
}

static bool reads(const char *hex, unsigned tag)
{
	struct der_reader r, in;
	size_t n;
	const uint8_t *p = unhex(hex, &n);

	der_read_init(&r, p, n);
	return der_read(&r, tag, &in) && !der_read_more(&r);
}

static void reader(void)
{
	static uint8_t big[300];
	struct der d;
	struct der_reader r, seq, v;
	const uint8_t *raw;
	uint8_t *enc;
	size_t len = 0, rawn = 0;

	memset(big, 0xab, sizeof(big));
	der_init(&d, DER_CAP_CERT);
	der_begin(&d, DER_SEQUENCE);
	der_int(&d, 5);
	der_octets(&d, big, sizeof(big));
	der_null(&d);
	der_end(&d);
	enc = der_take(&d, &len);
	der_read_init(&r, enc, len);
	ok(der_read(&r, DER_SEQUENCE, &seq) && !der_read_more(&r),
	   "reader: the SEQUENCE, nothing after it");
	ok(der_read(&seq, DER_INTEGER, &v) && v.len == 1 && v.p[0] == 5,
	   "reader: INTEGER 5");
	ok(!der_read_opt(&seq, DER_BOOLEAN, NULL) && !der_read_error(&seq),
	   "reader: an absent OPTIONAL leaves the reader as it was");
	ok(der_read_raw(&seq, DER_OCTET_STRING, &raw, &rawn) &&
	   rawn == 4 + sizeof(big) && raw[1] == 0x82,
	   "reader: raw value with its two-byte length");
	is_int(der_read_peek(&seq), DER_NULL, "reader: peek");
	ok(!der_read(&seq, DER_INTEGER, NULL) && der_read_error(&seq) &&
	   der_read_peek(&seq) == -1, "reader: wrong tag fails, sticky");
	free(enc);

	ok(reads("0403616263", DER_OCTET_STRING), "reader: short form");
	ok(!reads("0404616263", DER_OCTET_STRING), "reader: past the end");
	ok(!reads("3080020100", DER_SEQUENCE), "reader: indefinite length");
	ok(!reads("04810161", DER_OCTET_STRING),
	   "reader: long form below 128 refused (not minimal)");
	ok(!reads("0482000161", DER_OCTET_STRING),
	   "reader: leading zero length byte refused");
	ok(!reads("04850000000001", DER_OCTET_STRING),
	   "reader: more than 4 length bytes refused");
	ok(!reads("1f8101", 0x1f), "reader: multi-byte tag refused");
	ok(!reads("04", DER_OCTET_STRING), "reader: truncated header");
}

static bool time_is(const char *hex, time_t want)
{
	struct der_reader r;
	size_t n;
	const uint8_t *p = unhex(hex, &n);
	time_t t = 0;

	der_read_init(&r, p, n);
	return der_read_time(&r, &t) && t == want;
}

static void read_times(void)
{
	static const time_t back[] = { 0, 1700000000, 2524607999, 2524608000,
				       4102444800 };
	struct der d;
	struct der_reader r;
	uint8_t *enc;
	size_t i, len = 0;
	time_t t;

	/* "491231235959Z": 2049 (UTCTime years below 50 are 20xx). */
	ok(time_is("170d3439313233313233353935395a", 2524607999),
	   "read UTCTime 2049-12-31 23:59:59");
	ok(time_is("170d3530303130313030303030305a", -631152000),
	   "read UTCTime 50 as 1950");
	ok(time_is("180f32303530303130313030303030305a", 2524608000),
	   "read GeneralizedTime 2050-01-01");
	ok(!time_is("170b343931323331323335395a", 0),
	   "UTCTime without seconds refused");
	ok(!time_is("170d3439313333313233353935395a", 0),
	   "month 13 refused");
	ok(!time_is("170d343931323331323335393539", 0) &&
	   !time_is("170d3439313233313233353935392b", 0),
	   "a time without Z refused");
	for (i = 0; i < ARRAY_SIZE(back); i++) {
		der_init(&d, DER_CAP_CERT);
		der_time(&d, back[i]);
		enc = der_take(&d, &len);
		der_read_init(&r, enc, len);
		ok(der_read_time(&r, &t) && t == back[i],
		   "der_time -> der_read_time round trip %lld",
		   (long long)back[i]);
		free(enc);
	}
}

int main(void)
{
	lengths();
	nesting();
	oids();
	integers();
	times();
	others();
	reader();
	read_times();
	return done_testing();
}
