#!/usr/bin/env bash
# 02-binary: the release binary is one static executable with BearSSL as its
# only crypto library, and says which libraries it carries.
. "$(dirname "$0")/lib.sh"
plan 11
unstripped=$ICM.unstripped

ok "icm is an ELF executable" test -x "$ICM"
contains "file(1): statically linked" "$(file -b "$ICM")" "statically linked"
ok "no program interpreter (PT_INTERP)" sh -c "! readelf -lW '$ICM' | grep -q INTERP"
ok "no dynamic section" sh -c "! readelf -dW '$ICM' | grep -q NEEDED"
if [ -f "$unstripped" ]; then
	syms=$(nm "$unstripped" 2>/dev/null)
	is "no OpenSSL, mbedTLS, wolfSSL or libgcrypt symbols" \
		"$(printf '%s\n' "$syms" | grep -cE ' (EVP_|SSL_CTX_|OPENSSL_|mbedtls_|wolfSSL|gcry_)')" 0
	contains "BearSSL is linked" "$syms" ' br_ssl_client_init'
else
	_result 0 "# SKIP no unstripped binary beside $ICM"
	_result 0 "# SKIP no unstripped binary beside $ICM"
fi
v=$("$ICM" version)
contains "version: musl" "$v" "musl 1.2.5"
contains "version: BearSSL" "$v" "BearSSL 0.6"
contains "version: libcurl on BearSSL" "$v" "libcurl 8.14.1 (BearSSL)"
contains "version: libssh2 on BearSSL" "$v" "libssh2 1.11.1 (BearSSL)"
contains "version: cJSON" "$v" "cJSON 1.7.18"
done_testing
