/*
 * fs.h: file-system helpers.  Every writer goes through fs_write_atomic():
 * a temporary file beside the target, fsync, rename, so a reader never sees
 * half a file.
 */
#ifndef ICM_FS_H
#define ICM_FS_H

#include "../icm.h"
#include "buf.h"

/*
 * Reads the whole file at path into out (initialised by the caller with its
 * cap).  Returns 0, or -1 with errno set (EFBIG when over the cap).
 */
int fs_read_file(const char *path, struct buf *out) WARN_UNUSED;

/* Writes len bytes to path atomically with the given mode.  0 or -1/errno. */
int fs_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode) WARN_UNUSED;

/* mkdir -p with the given mode for the directories it creates.  0 or -1. */
int fs_mkdirs(const char *path, mode_t mode) WARN_UNUSED;

bool fs_exists(const char *path);
bool fs_is_dir(const char *path);

/*
 * path made absolute against the working directory, its "." and ".."
 * segments and repeated or trailing '/' resolved by name (the path need
 * not exist; symlinks are not followed).  Caller frees.  NULL with errno
 * set when the working directory cannot be read.
 */
char *fs_absolute(const char *path);

/* Removes a directory tree (no symlinks followed).  0 or -1. */
int fs_remove_tree(const char *path) WARN_UNUSED;

#endif
