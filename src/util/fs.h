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
 * Opens path (symlinks followed) for reading if it is a regular file.  It
 * is opened with O_NONBLOCK, so a FIFO with no writer cannot block, then
 * checked with fstat and made blocking again.  Returns the descriptor
 * (O_CLOEXEC), or -1 with errno set: FS_ENOTREG(mode) when the path is a
 * FIFO, a directory, a device or a socket.
 */
int fs_open_regular(const char *path) WARN_UNUSED;

/*
 * Opens path to append to, creating it (0600) if it is not there: the
 * writer of a file icm keeps adding to (icm.log, the state journal, the
 * state lock).  Such a file must be a regular file of its own: a symlink
 * is not followed but refused (O_NOFOLLOW), even one to a regular file, as
 * it may be planted in a state directory or working directory someone else
 * handed over; a FIFO is refused at once (O_NONBLOCK), not waited on for a
 * reader; the descriptor is made blocking again.  Returns it (O_WRONLY,
 * O_APPEND, O_CLOEXEC), or -1 with errno set: FS_ENOTREG(mode) for a
 * symlink, FIFO, directory, device or socket.  Files written whole go
 * through fs_write_atomic() instead, whose rename replaces what was there.
 */
int fs_open_append(const char *path) WARN_UNUSED;

/*
 * errno values of icm's own, past the system's: "not a regular file" with
 * the file type (st_mode & S_IFMT) in the low bits.  Print them (and every
 * errno from fs_*) with fs_strerror(), not strerror().
 */
#define FS_ENOTREG_BASE 0x10000
#define FS_ENOTREG(mode) (FS_ENOTREG_BASE | (int)(((mode) & S_IFMT) >> 12))

/*
 * What an errno from fs_* means, in icm's words where strerror() is not
 * enough: "not a regular file (a FIFO)", "not a regular file (a symbolic
 * link)", "too many levels of symbolic links (a symlink loop)", "file too
 * large" (EFBIG: over the reader's cap); strerror() otherwise.
 */
const char *fs_strerror(int err);

/*
 * Reads the whole regular file at path (fs_open_regular) into out
 * (initialised by the caller with its cap).  Returns 0, or -1 with errno
 * set (EFBIG when over the cap; see fs_strerror).
 */
int fs_read_file(const char *path, struct buf *out) WARN_UNUSED;

/*
 * Writes len bytes to path atomically with the given mode: a new temporary
 * file beside it (created O_EXCL|O_NOFOLLOW, so a symlink or FIFO planted
 * at its name is removed, never written through), fsync, rename; the rename
 * replaces whatever path was (a symlink is replaced, not followed).  0 or
 * -1/errno.
 */
int fs_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode) WARN_UNUSED;

/*
 * mkdir -p with the given mode for the directories it creates.  0, or -1
 * with errno set (ENOTDIR: a part is not a directory; ELOOP: a symlink
 * loop).
 */
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
