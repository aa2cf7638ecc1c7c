/* libssh2 BearSSL backend: private key files (included from bearssl.c).
 *
 * Copyright (C) icm contributors
 * SPDX-License-Identifier: BSD-3-Clause
 *
 * One loader for files and memory (a file is read into memory first):
 *   -----BEGIN OPENSSH PRIVATE KEY-----  libssh2's pem.c decrypts it
 *                                        (bcrypt_pbkdf + aes256-ctr/cbc),
 *                                        the fields are read here; RSA's
 *                                        CRT exponents are computed
 *   -----BEGIN RSA PRIVATE KEY-----      PKCS#1, parsed here (BearSSL's
 *                                        decoder drops n and e)
 *   -----BEGIN EC PRIVATE KEY-----       SEC1, BearSSL's br_skey_decoder
 *   -----BEGIN PRIVATE KEY-----          PKCS#8: RSA here, EC by BearSSL
 * The two traditional PEM forms may carry Proc-Type: 4,ENCRYPTED with
 * DEK-Info AES-128/192/256-CBC or DES-EDE3-CBC (OpenSSL's MD5 key
 * derivation).  Ed25519, DSA, FIDO and encrypted PKCS#8 keys get an error
 * that names them.
 */

enum { KEY_RSA = 1, KEY_EC };

struct loaded_key {
    int kind;
    libssh2_rsa_ctx *rsa;
    struct _libssh2_bearssl_ec *ec;
};

static int
key_error(LIBSSH2_SESSION *session, const char *msg)
{
    return _libssh2_error(session, LIBSSH2_ERROR_FILE, msg);
}

static void
loaded_key_free(struct loaded_key *key)
{
    _libssh2_bearssl_rsa_free(key->rsa);
    _libssh2_bearssl_ec_free(key->ec);
    key->rsa = NULL;
    key->ec = NULL;
}

static const char *
mem_find(const char *hay, size_t hlen, const char *needle)
{
    size_t nlen = strlen(needle), i;

    for(i = 0; nlen <= hlen && i <= hlen - nlen; i++)
        if(!memcmp(hay + i, needle, nlen))
            return hay + i;
    return NULL;
}

/* *data holds *len bytes in an allocation of *cap bytes */
static int
read_key_file(LIBSSH2_SESSION *session, const char *filename,
              char **data, size_t *len, size_t *cap_out)
{
    FILE *fp;
    char *buf = NULL, *nbuf;
    size_t cap = 0, n = 0, got;

    fp = fopen(filename, "rb");
    if(!fp)
        return key_error(session, "Unable to open private key file");
    do {
        if(n == cap) {
            size_t ncap = cap ? 2 * cap : 4096;

            if(cap > BR_KEYFILE_MAX) {
                fclose(fp);
                wipe_session_free(session, buf, cap);
                return key_error(session, "Private key file is too large");
            }
            nbuf = LIBSSH2_ALLOC(session, ncap);
            if(!nbuf) {
                fclose(fp);
                wipe_session_free(session, buf, cap);
                return _libssh2_error(session, LIBSSH2_ERROR_ALLOC,
                                      "Out of memory reading key file");
            }
            if(buf)
                memcpy(nbuf, buf, n);
            wipe_session_free(session, buf, cap);
            buf = nbuf;
            cap = ncap;
        }
        got = fread(buf + n, 1, cap - n, fp);
        n += got;
    } while(got > 0);
    if(ferror(fp)) {
        fclose(fp);
        wipe_session_free(session, buf, cap);
        return key_error(session, "Unable to read private key file");
    }
    fclose(fp);
    *data = buf;
    *len = n;
    *cap_out = cap;
    return 0;
}

/*******************************************************************/
/* DER */

static int
der_get(const unsigned char **p, size_t *left, unsigned char tag,
        const unsigned char **val, size_t *vlen)
{
    const unsigned char *s = *p;
    size_t n = *left, l, hdr = 2, i, k;

    if(n < 2 || s[0] != tag)
        return -1;
    l = s[1];
    if(l & 0x80) {
        k = l & 0x7F;
        if(k == 0 || k > 3 || n < 2 + k)
            return -1;
        for(l = 0, i = 0; i < k; i++)
            l = (l << 8) | s[2 + i];
        hdr += k;
    }
    if(l > n - hdr)
        return -1;
    *val = s + hdr;
    *vlen = l;
    *p = s + hdr + l;
    *left = n - hdr - l;
    return 0;
}

/* an INTEGER that must be positive */
static int
der_uint(const unsigned char **p, size_t *left,
         const unsigned char **val, size_t *vlen)
{
    if(der_get(p, left, 0x02, val, vlen) || !*vlen || ((*val)[0] & 0x80))
        return -1;
    strip_zeros(val, vlen);
    return *vlen ? 0 : -1;
}

/* RSAPrivateKey (RFC 8017 A.1.2) */
static int
rsa_from_pkcs1(const unsigned char *der, size_t len, libssh2_rsa_ctx **rsa)
{
    const unsigned char *seq, *v[9];
    size_t seqlen, l[9], i;

    if(der_get(&der, &len, 0x30, &seq, &seqlen) ||
       der_get(&seq, &seqlen, 0x02, &v[0], &l[0]) || l[0] != 1 || v[0][0])
        return -1;
    for(i = 1; i < 9; i++)
        if(der_uint(&seq, &seqlen, &v[i], &l[i]))
            return -1;
    /* n e d p q dp dq qinv */
    return _libssh2_rsa_new(rsa, v[2], l[2], v[1], l[1], v[3], l[3],
                            v[4], l[4], v[5], l[5], v[6], l[6], v[7], l[7],
                            v[8], l[8]);
}

/* SEC1 ECPrivateKey, or PKCS#8 around it: BearSSL's decoder */
static int
ec_from_der(const unsigned char *der, size_t len,
            struct _libssh2_bearssl_ec **ec)
{
    br_skey_decoder_context dc;
    const br_ec_private_key *sk;
    const struct ec_curve *c;

    *ec = NULL;
    br_skey_decoder_init(&dc);
    br_skey_decoder_push(&dc, der, len);
    if(!br_skey_decoder_last_error(&dc) &&
       br_skey_decoder_key_type(&dc) == BR_KEYTYPE_EC) {
        sk = br_skey_decoder_get_ec(&dc);
        c = ec_curve_by_id(sk->curve);
        if(c)
            *ec = ec_new_private(c, sk->x, sk->xlen);
    }
    _libssh2_explicit_zero(&dc, sizeof(dc));
    return *ec ? 0 : -1;
}

static const unsigned char oid_rsa[] = {
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01
};
static const unsigned char oid_ec[] = { 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02,
                                        0x01 };
static const unsigned char oid_ed25519[] = { 0x2B, 0x65, 0x70 };

#define OID_IS(v, l, oid) ((l) == sizeof(oid) && !memcmp(v, oid, l))

/* PrivateKeyInfo (RFC 5208) */
static int
key_from_pkcs8(LIBSSH2_SESSION *session, const unsigned char *der,
               size_t len, struct loaded_key *key)
{
    const unsigned char *p = der, *seq, *ver, *alg, *oid, *inner;
    size_t left = len, seqlen, verlen, alglen, oidlen, innerlen;

    if(der_get(&p, &left, 0x30, &seq, &seqlen) ||
       der_get(&seq, &seqlen, 0x02, &ver, &verlen) ||
       der_get(&seq, &seqlen, 0x30, &alg, &alglen) ||
       der_get(&alg, &alglen, 0x06, &oid, &oidlen) ||
       der_get(&seq, &seqlen, 0x04, &inner, &innerlen))
        return key_error(session, "Invalid PKCS#8 private key");
    if(OID_IS(oid, oidlen, oid_rsa)) {
        key->kind = KEY_RSA;
        if(rsa_from_pkcs1(inner, innerlen, &key->rsa))
            return key_error(session, "Invalid RSA key in PKCS#8 file");
        return 0;
    }
    if(OID_IS(oid, oidlen, oid_ec)) {
        key->kind = KEY_EC;
        if(ec_from_der(der, len, &key->ec))
            return key_error(session, "Invalid or unsupported EC key in "
                             "PKCS#8 file (P-256, P-384, P-521 only)");
        return 0;
    }
    if(OID_IS(oid, oidlen, oid_ed25519))
        return key_error(session, LIBSSH2_ED25519_UNSUPPORTED_TEXT);
    return key_error(session, "Unsupported key type in PKCS#8 file");
}

/*******************************************************************/
/* PEM */

struct pem {
    char label[32];
    int encrypted;
    char dek[32];
    unsigned char iv[16];
    size_t ivlen;
    unsigned char *der;
    size_t der_len;
};

static int
hexval(char c)
{
    if(c >= '0' && c <= '9')
        return c - '0';
    if(c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if(c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* "DEK-Info: AES-128-CBC,00112233..." */
static int
pem_dek_info(struct pem *pem, const char *s, size_t len)
{
    size_t i = 0, n = 0;
    int hi, lo;

    while(i < len && s[i] == ' ')
        i++;
    while(i < len && s[i] != ',' && n < sizeof(pem->dek) - 1)
        pem->dek[n++] = s[i++];
    pem->dek[n] = '\0';
    if(i >= len || s[i] != ',')
        return -1;
    for(i++, pem->ivlen = 0; i < len; i += 2) {
        if(i + 1 >= len || pem->ivlen == sizeof(pem->iv))
            return -1;
        hi = hexval(s[i]);
        lo = hexval(s[i + 1]);
        if(hi < 0 || lo < 0)
            return -1;
        pem->iv[pem->ivlen++] = (unsigned char)(hi << 4 | lo);
    }
    return pem->ivlen ? 0 : -1;
}

/* The first PEM object in data: label, headers, decoded body. */
static int
pem_read(LIBSSH2_SESSION *session, const char *data, size_t len,
         struct pem *pem)
{
    const char *p = data, *end = data + len, *eol, *line;
    size_t ll, b64len = 0, i;
    char *b64 = NULL;
    int state = 0, rc = -1;

    memset(pem, 0, sizeof(*pem));
    b64 = LIBSSH2_ALLOC(session, len ? len : 1);
    if(!b64)
        return -1;
    for(; p < end && state != 3; p = eol + 1) {
        eol = memchr(p, '\n', (size_t)(end - p));
        if(!eol)
            eol = end;
        line = p;
        ll = (size_t)(eol - p);
        while(ll && (line[ll - 1] == '\r' || line[ll - 1] == ' '))
            ll--;
        if(state == 0) {
            if(ll > 16 && !memcmp(line, "-----BEGIN ", 11) &&
               !memcmp(line + ll - 5, "-----", 5) &&
               ll - 16 < sizeof(pem->label)) {
                memcpy(pem->label, line + 11, ll - 16);
                state = 1;
            }
            continue;
        }
        if(ll >= 9 && !memcmp(line, "-----END ", 9)) {
            state = 3;
            continue;
        }
        if(state == 1 && memchr(line, ':', ll)) {
            if(ll >= 10 && !memcmp(line, "Proc-Type:", 10) &&
               mem_find(line, ll, "ENCRYPTED"))
                pem->encrypted = 1;
            else if(ll >= 9 && !memcmp(line, "DEK-Info:", 9) &&
                    pem_dek_info(pem, line + 9, ll - 9))
                goto out;
            continue;
        }
        if(ll)
            state = 2;
        for(i = 0; i < ll; i++)
            if(line[i] != ' ' && line[i] != '\t')
                b64[b64len++] = line[i];
    }
    if(state != 3 || !b64len ||
       _libssh2_base64_decode(session, (char **)&pem->der, &pem->der_len,
                              b64, b64len))
        goto out;
    rc = 0;
out:
    wipe_session_free(session, b64, len ? len : 1);
    return rc;
}

/* OpenSSL's traditional encryption: key = MD5(pass || salt) chained
   (EVP_BytesToKey, one round), salt = the first 8 bytes of the IV. */
static int
pem_decrypt(LIBSSH2_SESSION *session, struct pem *pem,
            const unsigned char *passphrase)
{
    static const struct {
        const char *name;
        int algo;
        size_t keylen, ivlen;
    } algs[] = {
        { "AES-128-CBC", _libssh2_cipher_aes128, 16, 16 },
        { "AES-192-CBC", _libssh2_cipher_aes192, 24, 16 },
        { "AES-256-CBC", _libssh2_cipher_aes256, 32, 16 },
        { "DES-EDE3-CBC", _libssh2_cipher_3des, 24, 8 },
    };
    unsigned char key[32 + MD5_DIGEST_LENGTH], prev[MD5_DIGEST_LENGTH];
    size_t i, have = 0, pad, plen;
    _libssh2_cipher_ctx cctx;
    br_md5_context md5;
    int a = -1, bad;

    if(!passphrase || !*passphrase)
        return key_error(session, "Private key is encrypted and no "
                         "passphrase was given");
    for(i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        if(!strcmp(pem->dek, algs[i].name))
            a = (int)i;
    if(a < 0 || pem->ivlen != algs[a].ivlen)
        return key_error(session, "Unsupported PEM encryption (DEK-Info)");
    if(!pem->der_len || pem->der_len % algs[a].ivlen)
        return key_error(session, "Invalid encrypted PEM private key");

    plen = strlen((const char *)passphrase);
    while(have < algs[a].keylen) {
        br_md5_init(&md5);
        if(have)
            br_md5_update(&md5, prev, sizeof(prev));
        br_md5_update(&md5, passphrase, plen);
        br_md5_update(&md5, pem->iv, 8);
        br_md5_out(&md5, prev);
        memcpy(key + have, prev, sizeof(prev));
        have += sizeof(prev);
    }
    _libssh2_cipher_init(&cctx, algs[a].algo, pem->iv, key, 0);
    _libssh2_cipher_crypt(&cctx, algs[a].algo, 0, pem->der, pem->der_len,
                          0);
    _libssh2_bearssl_cipher_dtor(&cctx);
    _libssh2_explicit_zero(key, sizeof(key));
    _libssh2_explicit_zero(prev, sizeof(prev));
    _libssh2_explicit_zero(&md5, sizeof(md5));

    /* PKCS#7 padding; a wrong passphrase shows here (or as bad DER) */
    pad = pem->der[pem->der_len - 1];
    bad = pad == 0 || pad > algs[a].ivlen;
    for(i = 0; !bad && i < pad; i++)
        bad |= pem->der[pem->der_len - 1 - i] != pad;
    if(bad)
        return key_error(session, "Unable to decrypt the private key: "
                         "wrong passphrase?");
    pem->der_len -= pad;
    return 0;
}

/*******************************************************************/
/* OpenSSH */

static int
key_from_openssh(LIBSSH2_SESSION *session, const char *data, size_t len,
                 const unsigned char *passphrase, struct loaded_key *key)
{
    struct string_buf *dec = NULL;
    unsigned char *type, *n, *e, *d, *iqmp, *p, *q, *ident, *point, *x;
    size_t typelen, nl, el, dl, il, pl, ql, identlen, pointlen, xl;
    const struct ec_curve *c;
    int rc;

    rc = _libssh2_openssh_pem_parse_memory(session, passphrase, data, len,
                                           &dec);
    if(rc && (!passphrase || !*passphrase))
        return key_error(session, "Unable to load the OpenSSH private key "
                         "(is it encrypted? no passphrase was given)");
    if(rc)
        return rc;
    rc = key_error(session, "Invalid OpenSSH private key");
    if(_libssh2_get_string(dec, &type, &typelen))
        goto out;
    if(typelen == 7 && !memcmp(type, "ssh-rsa", 7)) {
        key->kind = KEY_RSA;
        if(_libssh2_get_bignum_bytes(dec, &n, &nl) ||
           _libssh2_get_bignum_bytes(dec, &e, &el) ||
           _libssh2_get_bignum_bytes(dec, &d, &dl) ||
           _libssh2_get_bignum_bytes(dec, &iqmp, &il) ||
           _libssh2_get_bignum_bytes(dec, &p, &pl) ||
           _libssh2_get_bignum_bytes(dec, &q, &ql))
            goto out;
        if(_libssh2_rsa_new(&key->rsa, e, el, n, nl, d, dl, p, pl, q, ql,
                            NULL, 0, NULL, 0, iqmp, il)) {
            rc = key_error(session, rsa_range_error());
            goto out;
        }
        rc = 0;
    }
    else if((c = ec_curve_by_name((const char *)type, typelen)) != NULL) {
        key->kind = KEY_EC;
        if(_libssh2_get_string(dec, &ident, &identlen) ||
           _libssh2_get_string(dec, &point, &pointlen) ||
           _libssh2_get_bignum_bytes(dec, &x, &xl))
            goto out;
        key->ec = ec_new_private(c, x, xl);
        /* the stored public point must be the one the scalar gives */
        if(!key->ec || pointlen != c->plen ||
           memcmp(point, key->ec->q, pointlen) != 0)
            goto out;
        rc = 0;
    }
    else if(mem_find((const char *)type, typelen, "ed25519"))
        rc = key_error(session, LIBSSH2_ED25519_UNSUPPORTED_TEXT);
    else if(typelen > 3 && !memcmp(type, "sk-", 3))
        rc = key_error(session, "FIDO security key (sk-*) keys are not "
                       "supported by this build");
    else
        rc = key_error(session, "Unsupported OpenSSH private key type");
out:
    if(rc)
        loaded_key_free(key);
    if(dec) {
        _libssh2_explicit_zero(dec->data, dec->len);
        _libssh2_string_buf_free(session, dec);
    }
    return rc;
}

/*******************************************************************/
/* Any format */

static int
load_key(LIBSSH2_SESSION *session, const char *data, size_t len,
         const unsigned char *passphrase, struct loaded_key *key)
{
    struct pem pem;
    int rc;

    memset(key, 0, sizeof(*key));
    if(mem_find(data, len, "-----BEGIN OPENSSH PRIVATE KEY-----"))
        return key_from_openssh(session, data, len, passphrase, key);

    if(pem_read(session, data, len, &pem))
        return key_error(session, "Not a PEM or OpenSSH private key");
    if(pem.encrypted &&
       (rc = pem_decrypt(session, &pem, passphrase)) != 0) {
        wipe_session_free(session, pem.der, pem.der_len);
        return rc;
    }
    if(!strcmp(pem.label, "RSA PRIVATE KEY")) {
        key->kind = KEY_RSA;
        rc = rsa_from_pkcs1(pem.der, pem.der_len, &key->rsa) ?
            key_error(session, pem.encrypted ?
                      "Invalid RSA private key (wrong passphrase?)" :
                      rsa_range_error()) : 0;
    }
    else if(!strcmp(pem.label, "EC PRIVATE KEY")) {
        key->kind = KEY_EC;
        rc = ec_from_der(pem.der, pem.der_len, &key->ec) ?
            key_error(session, pem.encrypted ?
                      "Invalid EC private key (wrong passphrase?)" :
                      "Invalid or unsupported EC private key "
                      "(P-256, P-384, P-521 only)") : 0;
    }
    else if(!strcmp(pem.label, "PRIVATE KEY"))
        rc = key_from_pkcs8(session, pem.der, pem.der_len, key);
    else if(!strcmp(pem.label, "ENCRYPTED PRIVATE KEY"))
        rc = key_error(session, "Encrypted PKCS#8 keys are not supported; "
                       "convert the key to OpenSSH format "
                       "(ssh-keygen -p -f KEYFILE)");
    else if(!strcmp(pem.label, "DSA PRIVATE KEY"))
        rc = key_error(session, "DSA keys are not supported");
    else
        rc = key_error(session, "Unsupported PEM private key type");
    wipe_session_free(session, pem.der, pem.der_len);
    if(rc)
        loaded_key_free(key);
    return rc;
}

/* load, then keep only the kind asked for (0: any) */
static int
load_key_of_kind(LIBSSH2_SESSION *session, const char *filename,
                 const char *data, size_t len,
                 const unsigned char *passphrase, int kind,
                 struct loaded_key *key)
{
    char *fdata = NULL;
    size_t fcap = 0;
    int rc;

    if(filename) {
        rc = read_key_file(session, filename, &fdata, &len, &fcap);
        if(rc)
            return rc;
        data = fdata;
    }
    rc = load_key(session, data, len, passphrase, key);
    wipe_session_free(session, fdata, fcap);
    if(!rc && kind && key->kind != kind) {
        loaded_key_free(key);
        rc = key_error(session, kind == KEY_RSA ? "Not an RSA key" :
                       "Not an ECDSA key");
    }
    return rc;
}

int
_libssh2_rsa_new_private(libssh2_rsa_ctx **rsa, LIBSSH2_SESSION *session,
                         const char *filename,
                         unsigned const char *passphrase)
{
    struct loaded_key key;
    int rc = load_key_of_kind(session, filename, NULL, 0, passphrase,
                              KEY_RSA, &key);

    *rsa = rc ? NULL : key.rsa;
    return rc ? -1 : 0;
}

int
_libssh2_rsa_new_private_frommemory(libssh2_rsa_ctx **rsa,
                                    LIBSSH2_SESSION *session,
                                    const char *filedata,
                                    size_t filedata_len,
                                    unsigned const char *passphrase)
{
    struct loaded_key key;
    int rc = load_key_of_kind(session, NULL, filedata, filedata_len,
                              passphrase, KEY_RSA, &key);

    *rsa = rc ? NULL : key.rsa;
    return rc ? -1 : 0;
}

int
_libssh2_ecdsa_new_private(libssh2_ecdsa_ctx **ec, LIBSSH2_SESSION *session,
                           const char *filename,
                           unsigned const char *passphrase)
{
    struct loaded_key key;
    int rc = load_key_of_kind(session, filename, NULL, 0, passphrase,
                              KEY_EC, &key);

    *ec = rc ? NULL : key.ec;
    return rc ? -1 : 0;
}

int
_libssh2_ecdsa_new_private_frommemory(libssh2_ecdsa_ctx **ec,
                                      LIBSSH2_SESSION *session,
                                      const char *filedata,
                                      size_t filedata_len,
                                      unsigned const char *passphrase)
{
    struct loaded_key key;
    int rc = load_key_of_kind(session, NULL, filedata, filedata_len,
                              passphrase, KEY_EC, &key);

    *ec = rc ? NULL : key.ec;
    return rc ? -1 : 0;
}

static int
sk_unsupported(LIBSSH2_SESSION *session)
{
    return key_error(session, "FIDO security key (sk-*) keys are not "
                     "supported by this build");
}

int
_libssh2_ecdsa_new_private_sk(libssh2_ecdsa_ctx **ec, unsigned char *flags,
                              const char **application,
                              const unsigned char **key_handle,
                              size_t *handle_len, LIBSSH2_SESSION *session,
                              const char *filename,
                              unsigned const char *passphrase)
{
    (void)flags; (void)application; (void)key_handle; (void)handle_len;
    (void)filename; (void)passphrase;
    *ec = NULL;
    sk_unsupported(session);
    return -1;
}

int
_libssh2_ecdsa_new_private_frommemory_sk(libssh2_ecdsa_ctx **ec,
                                         unsigned char *flags,
                                         const char **application,
                                         const unsigned char **key_handle,
                                         size_t *handle_len,
                                         LIBSSH2_SESSION *session,
                                         const char *filedata,
                                         size_t filedata_len,
                                         unsigned const char *passphrase)
{
    (void)flags; (void)application; (void)key_handle; (void)handle_len;
    (void)filedata; (void)filedata_len; (void)passphrase;
    *ec = NULL;
    sk_unsupported(session);
    return -1;
}

int
_libssh2_sk_pub_keyfilememory(LIBSSH2_SESSION *session,
                              unsigned char **method, size_t *method_len,
                              unsigned char **pubkeydata,
                              size_t *pubkeydata_len, int *algorithm,
                              unsigned char *flags, const char **application,
                              const unsigned char **key_handle,
                              size_t *handle_len, const char *privatekeydata,
                              size_t privatekeydata_len,
                              const char *passphrase)
{
    (void)method; (void)method_len; (void)pubkeydata;
    (void)pubkeydata_len; (void)algorithm; (void)flags; (void)application;
    (void)key_handle; (void)handle_len; (void)privatekeydata;
    (void)privatekeydata_len; (void)passphrase;
    return sk_unsupported(session);
}

/* method name and SSH public key blob of any private key */
static int
pub_priv(LIBSSH2_SESSION *session, const char *filename, const char *data,
         size_t len, const char *passphrase, unsigned char **method,
         size_t *method_len, unsigned char **pubkeydata,
         size_t *pubkeydata_len)
{
    struct loaded_key key;
    const char *name;
    unsigned char *m = NULL, *blob;
    size_t blob_len = 0;
    int rc;

    rc = load_key_of_kind(session, filename, data, len,
                          (const unsigned char *)passphrase, 0, &key);
    if(rc)
        return rc;
    if(key.kind == KEY_RSA) {
        name = "ssh-rsa";
        blob = rsa_public_blob(session, key.rsa, &blob_len);
    }
    else {
        name = ec_curve_by_id(key.ec->pk.curve)->name;
        blob = ec_public_blob(session, key.ec, &blob_len);
    }
    loaded_key_free(&key);
    if(blob)
        m = LIBSSH2_ALLOC(session, strlen(name));
    if(!m) {
        if(blob)
            LIBSSH2_FREE(session, blob);
        return _libssh2_error(session, LIBSSH2_ERROR_ALLOC,
                              "Out of memory for the public key");
    }
    memcpy(m, name, strlen(name));
    *method = m;
    *method_len = strlen(name);
    *pubkeydata = blob;
    *pubkeydata_len = blob_len;
    return 0;
}

int
_libssh2_pub_priv_keyfile(LIBSSH2_SESSION *session, unsigned char **method,
                          size_t *method_len, unsigned char **pubkeydata,
                          size_t *pubkeydata_len, const char *privatekey,
                          const char *passphrase)
{
    return pub_priv(session, privatekey, NULL, 0, passphrase, method,
                    method_len, pubkeydata, pubkeydata_len);
}

int
_libssh2_pub_priv_keyfilememory(LIBSSH2_SESSION *session,
                                unsigned char **method, size_t *method_len,
                                unsigned char **pubkeydata,
                                size_t *pubkeydata_len,
                                const char *privatekeydata,
                                size_t privatekeydata_len,
                                const char *passphrase)
{
    return pub_priv(session, NULL, privatekeydata, privatekeydata_len,
                    passphrase, method, method_len, pubkeydata,
                    pubkeydata_len);
}

const char *
_libssh2_supported_key_sign_algorithms(LIBSSH2_SESSION *session,
                                       unsigned char *key_method,
                                       size_t key_method_len)
{
    (void)session;
    if(key_method_len == 7 && !memcmp(key_method, "ssh-rsa", 7))
        return "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
    return NULL;
}
