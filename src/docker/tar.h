/*
 * tar.h: a small tar writer, a careful tar reader and a renamer for `icm
 * cp` (the Docker archive endpoints speak tar).
 *
 * tar_pack() writes a ustar archive of a file, symlink or directory tree
 * named by its last component ("dir/", "dir/a", ...): regular files,
 * directories and symlinks with their modes (07777) and mtimes, owner 0:0;
 * names or link targets over 100 bytes get a GNU 'L'/'K' long-name entry
 * first.  Other file types (sockets, devices, FIFOs) are skipped with a
 * warning.  The archive is appended to out (whose cap bounds it).
 *
 * tar_unpack() extracts an archive (ustar, GNU long names, pax 'x'
 * headers as Go's archive/tar writes them for the Docker daemon) into
 * dest_dir, which must exist.  It refuses, naming the entry: absolute
 * names, ".." components, symlinks whose target leaves dest_dir, hard
 * links to names outside it, entries larger than what remains of the
 * archive, names over TAR_NAME_MAX, more than TAR_ENTRIES_MAX entries,
 * bad checksums.  No path is ever resolved through a symlink while
 * extracting (every directory is opened with O_NOFOLLOW from dest_dir),
 * so a symlink in the archive cannot redirect a later entry.  Existing
 * files are replaced; setuid/setgid bits are dropped; owners are not
 * restored.  Devices and FIFOs are skipped with a warning.
 *
 * tar_rebase() copies an archive whose members are `from` and what is
 * below it ("from", "from/a", ...; a leading "./" is fine) to out with
 * `from` renamed `to` ("" puts what is below from at the top; to "a/b"
 * makes "a/b", "a/b/a", ...), so that extracting it at "/" puts the tree
 * at /to: the member `from` itself is left out when contents is true
 * (its contents go into to, which keeps its own mode); hard links are
 * renamed with their targets, symlink targets are kept; owner root (as
 * docker cp sets it); long names get GNU 'L'/'K' entries.  It refuses,
 * naming the entry, a member that is not from or below it and anything
 * tar_unpack() refuses in a header; out's cap bounds the copy.
 *
 * All return 0, or -1 after error() (src/state/log.h) said why; *why
 * (why not NULL; replaced, caller frees) gets the message too, so a
 * fan-out worker reports its own node's reason (error_why()).
 */
#ifndef ICM_TAR_H
#define ICM_TAR_H

#include "../icm.h"
#include "../util/buf.h"

#define TAR_NAME_MAX 4096
#define TAR_ENTRIES_MAX 1000000
#define TAR_PAX_MAX (64u << 10)		/* one pax header's records */

int tar_pack(const char *local_path, struct buf *out, char **why)
	WARN_UNUSED;
/*
 * An archive built in memory (files icm stages in containers): an entry
 * `name` (under 100 bytes) owned by uid and gid `owner` with mode; data
 * NULL makes a directory.  tar_mem_end() appends the end blocks.
 */
int tar_mem_entry(struct buf *out, const char *name, const void *data,
		  size_t len, unsigned mode, unsigned owner, char **why)
	WARN_UNUSED;
int tar_mem_end(struct buf *out, char **why) WARN_UNUSED;

int tar_unpack(const void *tar, size_t len, const char *dest_dir,
	       char **why) WARN_UNUSED;
int tar_rebase(const void *tar, size_t len, const char *from,
	       const char *to, bool contents, struct buf *out, char **why)
	WARN_UNUSED;

#endif
