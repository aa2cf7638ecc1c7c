/*
 * tar.c: the safe reader and the renamer behind `icm cp` (see tar.h; the
 * writer is tar_write.c).  The reader never follows a symlink: it walks
 * every entry's directories down from dest_dir with openat(O_NOFOLLOW |
 * O_DIRECTORY).
 */
#include "tar_int.h"
#include "../state/log.h"
#include "../util/str.h"

/* ------------------------------------------------------------------ */
/* Reader */

/* A numeric field: octal (spaces/NULs around) or base-256. */
static int number(const char *f, size_t w, unsigned long long *v)
{
	const unsigned char *p = (const unsigned char *)f;
	size_t i = 0;

	*v = 0;
	if (p[0] & 0x80) {
		if (p[0] != 0x80)
			return -1;	/* negative or huge */
		for (i = 1; i < w; i++) {
			if (*v >> 55)
				return -1;
			*v = *v << 8 | p[i];
		}
		return 0;
	}
	while (i < w && (p[i] == ' ' || p[i] == '\0'))
		i++;
	for (; i < w && p[i] >= '0' && p[i] <= '7'; i++) {
		if (*v >> 60)
			return -1;
		*v = *v << 3 | (unsigned)(p[i] - '0');
	}
	for (; i < w; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return -1;
	return 0;
}

/* Names and overrides collected from 'L'/'K'/'x' entries. */
struct pending {
	char *name, *link;
	bool has_size, has_mtime;
	unsigned long long size;
	long long mtime;
};

static void pending_clear(struct pending *p)
{
	free(p->name);
	free(p->link);
	memset(p, 0, sizeof(*p));
}

/*
 * A pax mtime: [-]seconds[.fraction], the fraction dropped.  By length:
 * the value is not NUL-terminated.
 */
static int pax_mtime(const char *v, size_t n, long long *out)
{
	const char *dot = memchr(v, '.', n);
	size_t whole = dot ? (size_t)(dot - v) : n, i;
	bool neg = n && v[0] == '-';
	unsigned long long t;

	if (str_to_ull_n(v + neg, whole - neg, LLONG_MAX, &t))
		return -1;
	for (i = whole + 1; dot && i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return -1;
	*out = neg ? -(long long)t : (long long)t;
	return 0;
}

/*
 * A pax header's "len key=value\n" records (POSIX pax, "pax Extended
 * Header"), read by length: len counts the whole record and every number
 * is parsed within its bytes, so nothing past the header's size is read
 * and a number that overflows or holds anything but digits is refused.
 */
static int parse_pax(const char *p, size_t len, struct pending *pd)
{
	const char *sp, *rec, *eq, *val;
	unsigned long long n;
	size_t reclen, vlen;

	while (len) {
		sp = memchr(p, ' ', len < 20 ? len : 20);
		if (!sp || str_to_ull_n(p, (size_t)(sp - p), len, &n))
			return -1;
		reclen = (size_t)n;
		rec = sp + 1;
		/* at least "k=\n" after the space */
		if (reclen < (size_t)(rec - p) + 3 || p[reclen - 1] != '\n')
			return -1;
		eq = memchr(rec, '=', (size_t)(p + reclen - 1 - rec));
		if (!eq || eq == rec)
			return -1;
		val = eq + 1;
		vlen = (size_t)(p + reclen - 1 - val);
#define KEY(k) ((size_t)(eq - rec) == strlen(k) && !memcmp(rec, k, strlen(k)))
		if (KEY("path")) {
			free(pd->name);
			pd->name = xstrndup(val, vlen);
		} else if (KEY("linkpath")) {
			free(pd->link);
			pd->link = xstrndup(val, vlen);
		} else if (KEY("size")) {
			if (str_to_ull_n(val, vlen, LLONG_MAX, &pd->size))
				return -1;
			pd->has_size = true;
		} else if (KEY("mtime")) {
			if (pax_mtime(val, vlen, &pd->mtime))
				return -1;
			pd->has_mtime = true;
		}
#undef KEY
		p += reclen;
		len -= reclen;
	}
	return 0;
}

/*
 * The entry's name made relative and checked: no absolute path, no ".."
 * component; "." components and repeated or trailing slashes dropped.
 * NULL when refused (or nothing is left: the archive's root).
 */
static char *clean_name(const char *name, bool *empty)
{
	struct buf b;
	const char *p = name, *q;
	size_t n;

	*empty = false;
	if (*name == '/')
		return NULL;
	buf_init(&b, TAR_NAME_MAX);
	while (*p) {
		q = strchr(p, '/');
		n = q ? (size_t)(q - p) : strlen(p);
		if (n == 2 && !memcmp(p, "..", 2)) {
			buf_release(&b);
			return NULL;
		}
		if (n && !(n == 1 && *p == '.')) {
			if ((b.len && buf_add(&b, "/", 1)) || buf_add(&b, p, n))
				return NULL;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	if (!b.len)
		*empty = true;
	return b.len ? buf_take(&b) : NULL;
}

/* True when a symlink at name (relative to the root) pointing to target
 * stays inside the root. */
static bool link_inside(const char *name, const char *target)
{
	const char *p;
	long depth = 0;
	size_t n;

	if (*target == '/' || !*target)
		return false;
	for (p = name; *p; p++)		/* the link's directory depth */
		if (*p == '/')
			depth++;
	for (p = target; *p; ) {
		n = strcspn(p, "/");
		if (n == 2 && !memcmp(p, "..", 2)) {
			if (--depth < 0)
				return false;
		} else if (n && !(n == 1 && *p == '.')) {
			depth++;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return true;
}

/*
 * Opens the directory holding name below root (creating missing
 * directories 0755), never through a symlink; *leaf points at the last
 * component.  -1 with errno.
 */
static int open_parent(int root, const char *name, const char **leaf)
{
	char part[TAR_NAME_MAX];
	const char *p = name, *slash;
	int fd = dup(root), next;
	size_t n;

	while (fd >= 0 && (slash = strchr(p, '/')) != NULL) {
		n = (size_t)(slash - p);
		memcpy(part, p, n);
		part[n] = '\0';
		if (mkdirat(fd, part, 0755) && errno != EEXIST) {
			close(fd);
			return -1;
		}
		next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			      O_CLOEXEC);
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*leaf = p;
	return fd;
}

/* Removes what is at leaf unless it is a directory (to be replaced). */
static void clear_leaf(int dir, const char *leaf)
{
	struct stat st;

	if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !S_ISDIR(st.st_mode))
		unlinkat(dir, leaf, 0);
}

static int write_file(int dir, const char *leaf, mode_t mode,
		      const char *data, size_t size)
{
	ssize_t w;
	int fd;

	clear_leaf(dir, leaf);
	fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (size) {
		w = write(fd, data, size);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		data += w;
		size -= (size_t)w;
	}
	if (fchmod(fd, mode)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* One entry (name cleaned); 0 or -1 after error(). */
static int extract(int root, char type, const char *name, const char *link,
		   mode_t mode, long long mtime, const char *data,
		   size_t size, char **why)
{
	struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
	const char *leaf;
	char *target = NULL;
	bool empty;
	int dir, rc = -1;

	mode &= 0777 | S_ISVTX;		/* no setuid/setgid from archives */
	dir = open_parent(root, name, &leaf);
	if (dir < 0)
		return error_why(why, "'%s': %s: %s", name, errno == ENOTDIR ||
				 errno == ELOOP ? "refused: a directory on its "
				 "way is a symlink or a file" : "cannot create its "
				 "directory", strerror(errno));
	switch (type) {
	case '0': case '\0': case '7':
		rc = write_file(dir, leaf, mode, data, size);
		break;
	case '5':
		rc = mkdirat(dir, leaf, 0700);
		if (rc && errno == EEXIST) {
			struct stat st;

			if (fstatat(dir, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    !S_ISDIR(st.st_mode)) {
				unlinkat(dir, leaf, 0);
				rc = mkdirat(dir, leaf, 0700);
			} else {
				rc = 0;
			}
		}
		if (rc == 0)
			rc = fchmodat(dir, leaf, mode, 0);
		break;
	case '2':
		if (!link_inside(name, link)) {
			error_why(why, "'%s': refused: the link's target '%s' is "
				  "outside the destination", name, link);
			goto out;
		}
		clear_leaf(dir, leaf);
		rc = symlinkat(link, dir, leaf);
		break;
	case '1':
		target = clean_name(link, &empty);
		if (!target) {
			error_why(why, "'%s': refused: the hard link's target '%s' is "
				  "outside the destination", name, link);
			goto out;
		}
		clear_leaf(dir, leaf);
		/* the target was extracted already, by the same walk */
		{
			const char *tleaf;
			int tdir = open_parent(root, target, &tleaf);

			rc = tdir < 0 ? -1 : linkat(tdir, tleaf, dir, leaf, 0);
			if (tdir >= 0)
				close(tdir);
		}
		break;
	}
	if (rc) {
		error_why(why, "'%s': cannot extract: %s", name, strerror(errno));
		goto out;
	}
	if (type != '1' && type != '5')
		utimensat(dir, leaf, ts, AT_SYMLINK_NOFOLLOW);
	rc = 0;
out:
	free(target);
	close(dir);
	return rc;
}

/* The archive walk shared by tar_unpack() and tar_rebase(). */
struct walk {
	const char *p;
	size_t len, off, entries;
	struct pending pd;
};

/* One archive member, its 'L'/'K'/'x' entries folded in. */
struct entry {
	const struct header *h;	/* its header block */
	char type;
	char *name, *link;	/* as the archive has them (allocated) */
	unsigned long long size, mtime, mode;
	const char *data;	/* size bytes */
};

static void entry_clear(struct entry *e)
{
	free(e->name);
	free(e->link);
	memset(e, 0, sizeof(*e));
}

/*
 * The next member of w into e (cleared first): 1, 0 at the end of the
 * archive, -1 after error() (a bad checksum or header, a size past the
 * end, too many entries, an oversized long name or pax header).
 */
static int next_entry(struct walk *w, struct entry *e, char **why)
{
	char raw[sizeof(((struct header *)0)->prefix) + 1 + 100 + 1];
	unsigned long long size, mtime, mode, sum;
	const struct header *h;
	struct pending *pd = &w->pd;
	const char *data;
	size_t padded;

	entry_clear(e);
	while (w->off + BLOCK <= w->len) {
		h = (const struct header *)(w->p + w->off);
		if (!memcmp(h, (const char[BLOCK]){ 0 }, BLOCK))
			return 0;	/* the end-of-archive blocks */
		if (number(h->chksum, sizeof(h->chksum), &sum) ||
		    sum != tar_checksum(h))
			return error_why(why, "the archive is damaged at byte %zu (bad "
					 "header checksum)", w->off);
		if (++w->entries > TAR_ENTRIES_MAX)
			return error_why(why, "the archive has more than %u entries",
					 TAR_ENTRIES_MAX);
		/* the entry's name as the header has it, for messages */
		if (h->prefix[0] && !memcmp(h->magic, "ustar", 5))
			snprintf(raw, sizeof(raw), "%.*s/%.*s",
				 (int)strnlen(h->prefix, sizeof(h->prefix)),
				 h->prefix,
				 (int)strnlen(h->name, sizeof(h->name)),
				 h->name);
		else
			snprintf(raw, sizeof(raw), "%.*s",
				 (int)strnlen(h->name, sizeof(h->name)),
				 h->name);
		if (number(h->size, sizeof(h->size), &size) ||
		    number(h->mtime, sizeof(h->mtime), &mtime) ||
		    number(h->mode, sizeof(h->mode), &mode))
			return error_why(why, "'%s': malformed header", pd->name ?
					 pd->name : raw);
		if (pd->has_size)
			size = pd->size;
		if (pd->has_mtime)
			mtime = (unsigned long long)pd->mtime;
		w->off += BLOCK;
		if (size > w->len - w->off)
			return error_why(why, "'%s': refused: its size (%llu) runs past "
					 "the end of the archive", pd->name ?
					 pd->name : raw, size);
		data = w->p + w->off;
		padded = (size_t)((size + BLOCK - 1) / BLOCK * BLOCK);
		if (padded > w->len - w->off)
			return error_why(why, "'%s': refused: the archive is truncated",
					 pd->name ? pd->name : raw);
		w->off += padded;
		switch (h->typeflag) {
		case 'L': case 'K':
			if (size > TAR_NAME_MAX)
				return error_why(why, "a long name entry of %llu bytes: "
						 "over %u", size, TAR_NAME_MAX);
			free(h->typeflag == 'L' ? pd->name : pd->link);
			*(h->typeflag == 'L' ? &pd->name : &pd->link) =
				xstrndup(data, (size_t)size);
			continue;
		case 'x':
			if (size > TAR_PAX_MAX ||
			    parse_pax(data, (size_t)size, pd))
				return error_why(why, "'%s': malformed or oversized pax "
						 "header", raw);
			continue;
		case 'g':
			continue;	/* global pax: nothing we use */
		}
		e->h = h;
		e->type = h->typeflag;
		e->name = pd->name ? xstrdup(pd->name) : xstrdup(raw);
		e->link = pd->link ? xstrdup(pd->link) :
			xstrndup(h->linkname, strnlen(h->linkname,
						      sizeof(h->linkname)));
		e->size = size;
		e->mtime = mtime;
		e->mode = mode;
		e->data = data;
		pending_clear(pd);
		return 1;
	}
	return 0;
}

/* Directory mtimes are set last (extracting inside them changes them). */
struct dir_time {
	char *name;
	long long mtime;
};

int tar_unpack(const void *tar, size_t len, const char *dest_dir,
	       char **why)
{
	struct walk w = { .p = tar, .len = len };
	struct entry e = { 0 };
	struct dir_time *dirs = NULL;
	size_t ndirs = 0, i;
	char *name = NULL;
	bool empty;
	int root, ret = -1, rc;

	root = open(dest_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return error_why(why, "cannot open '%s': %s", dest_dir,
				 strerror(errno));
	while ((rc = next_entry(&w, &e, why)) > 0) {
		free(name);
		name = clean_name(e.name, &empty);
		if (!name && empty)
			continue;	/* "./": the destination itself */
		if (!name || strlen(name) >= TAR_NAME_MAX) {
			error_why(why, "'%s': refused: %s", e.name, *e.name == '/' ?
				  "an absolute name" : strlen(e.name) >=
				  TAR_NAME_MAX ? "the name is too long" :
				  "a '..' component");
			goto out;
		}
		if (!memchr("0125\0" "7", e.type, 6)) {
			warning("'%s': not a file, a directory or a link: "
				"skipped", name);
			continue;
		}
		if (extract(root, e.type, name, e.link, (mode_t)e.mode,
			    (long long)e.mtime, e.data, (size_t)e.size, why))
			goto out;
		if (e.type == '5') {
			dirs = xrealloc(dirs, (ndirs + 1) * sizeof(*dirs));
			dirs[ndirs].name = xstrdup(name);
			dirs[ndirs++].mtime = (long long)e.mtime;
		}
	}
	if (rc < 0)
		goto out;
	for (i = ndirs; i-- > 0; ) {
		struct timespec ts[2] = { { .tv_sec = dirs[i].mtime },
					  { .tv_sec = dirs[i].mtime } };
		const char *leaf;
		int dir = open_parent(root, dirs[i].name, &leaf);

		if (dir >= 0) {
			utimensat(dir, leaf, ts, AT_SYMLINK_NOFOLLOW);
			close(dir);
		}
	}
	ret = 0;
out:
	for (i = 0; i < ndirs; i++)
		free(dirs[i].name);
	free(dirs);
	pending_clear(&w.pd);
	entry_clear(&e);
	free(name);
	close(root);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Rebase */

/* name's path below from ("" for from itself), or NULL when name is not
 * from or below it. */
static const char *below(const char *name, const char *from)
{
	size_t n = strlen(from);

	if (strncmp(name, from, n) || (name[n] && name[n] != '/'))
		return NULL;
	return name + n;
}

/* A name moved from `from` to `to`: to + rest ("to" "" stays "to"; with
 * to "", rest without its leading slash). */
static char *moved(const char *to, const char *rest)
{
	return *to ? xasprintf("%s%s", to, rest) :
		xstrdup(rest + (*rest == '/'));
}

int tar_rebase(const void *tar, size_t len, const char *from,
	       const char *to, bool contents, struct buf *out, char **why)
{
	static const char zero[2 * BLOCK];
	struct walk w = { .p = tar, .len = len };
	struct entry e = { 0 };
	struct header h;
	const char *rest, *lrest;
	char *name = NULL, *cname = NULL, *link = NULL;
	bool empty;
	int ret = -1, rc;

	while ((rc = next_entry(&w, &e, why)) > 0) {
		free(cname);
		cname = clean_name(e.name, &empty);
		rest = cname ? below(cname, from) : NULL;
		if (!rest) {
			error_why(why, "'%s': refused: not '%s' or below it", e.name,
				  from);
			goto out;
		}
		if (contents && !*rest)
			continue;	/* the directory itself: not copied */
		free(name);
		free(link);
		name = moved(to, rest);
		link = NULL;
		if (e.type == '1') {	/* a hard link names a member */
			char *t = clean_name(e.link, &empty);

			lrest = t ? below(t, from) : NULL;
			if (!lrest) {
				error_why(why, "'%s': refused: its link '%s' is not "
					  "below '%s'", e.name, e.link, from);
				free(t);
				goto out;
			}
			link = moved(to, lrest);
			free(t);
		} else if (e.type == '2') {
			link = xstrdup(e.link);	/* a path: as it is */
		}
		if (e.type == '5' && !str_ends(name, "/")) {
			char *d = xasprintf("%s/", name);

			free(name);
			name = d;
		}
		if (strlen(name) >= TAR_NAME_MAX) {
			error_why(why, "'%s': the name is too long", name);
			goto out;
		}
		/* the member's header with the new names, owner root (as
		 * docker cp makes them) */
		memcpy(&h, e.h, sizeof(h));
		memset(h.name, 0, sizeof(h.name));
		memcpy(h.name, name, strnlen(name, sizeof(h.name)));
		memset(h.linkname, 0, sizeof(h.linkname));
		if (link)
			memcpy(h.linkname, link, strnlen(link,
							 sizeof(h.linkname)));
		memset(h.prefix, 0, sizeof(h.prefix));
		tar_octal(h.size, sizeof(h.size), e.size);
		if (e.mtime < 1ULL << 33)	/* fits 11 octal digits */
			tar_octal(h.mtime, sizeof(h.mtime), e.mtime);
		tar_octal(h.uid, sizeof(h.uid), 0);
		tar_octal(h.gid, sizeof(h.gid), 0);
		memset(h.uname, 0, sizeof(h.uname));
		memset(h.gname, 0, sizeof(h.gname));
		memcpy(h.uname, "root", 4);
		memcpy(h.gname, "root", 4);
		memset(h.chksum, ' ', sizeof(h.chksum));
		snprintf(h.chksum, sizeof(h.chksum), "%06o", tar_checksum(&h));
		h.chksum[7] = ' ';
		if (tar_put_long(out, 'L', name) ||
		    (link && tar_put_long(out, 'K', link)) ||
		    buf_add(out, &h, sizeof(h)) ||
		    (e.size && buf_add(out, e.data, (size_t)e.size)) ||
		    tar_pad(out, (size_t)e.size))
			goto full;
	}
	if (rc < 0)
		goto out;
	if (buf_add(out, zero, sizeof(zero)))
		goto full;
	ret = 0;
	goto out;
full:
	error_why(why, "the archive would be larger than %zu bytes", out->cap);
out:
	pending_clear(&w.pd);
	entry_clear(&e);
	free(name);
	free(cname);
	free(link);
	return ret;
}

