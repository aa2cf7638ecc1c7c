/*
 * tar_int.h: what tar.c (the reader, the renamer) and tar_write.c (the
 * writer) share: the ustar header block and the writer's pieces.
 */
#ifndef ICM_DOCKER_TAR_INT_H
#define ICM_DOCKER_TAR_INT_H

#include "tar.h"
#include "../util/buf.h"

#define BLOCK 512

struct header {			/* POSIX ustar, 512 bytes */
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12];
	char chksum[8], typeflag, linkname[100], magic[6], version[2];
	char uname[32], gname[32], devmajor[8], devminor[8], prefix[155];
	char pad[12];
};

_Static_assert(sizeof(struct header) == BLOCK, "a tar header is 512 bytes");

void tar_octal(char *field, size_t width, unsigned long long v);
unsigned tar_checksum(const struct header *h);
int tar_pad(struct buf *out, size_t size);
int tar_put_long(struct buf *out, char type, const char *s);

#endif
