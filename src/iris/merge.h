/*
 * merge.h: the first-start configuration of an InterSystems IRIS container
 * (iris-config.md §1.3, §1.4, §1.8, §2): the password as ICM set it (only a
 * salted hash leaves icm: `[Startup] PasswordHash=<hex>,<salt>`, PBKDF2-
 * HMAC-SHA1, 1024 iterations, 20 bytes, the 8-character salt's ASCII bytes),
 * the ports and the directories icm owns, and the user's UserCPF after
 * them; the ISC* memory fields, the ECP connection limits and the shard
 * service of cluster nodes too (settings that need a restart belong in the
 * first start).  The text is delivered as the container's ISC_CPF_MERGE_FILE.
 *
 * Ownership: returned strings are the caller's.
 */
#ifndef ICM_IRIS_MERGE_H
#define ICM_IRIS_MERGE_H

#include "../icm.h"
#include "../util/buf.h"

#define IRIS_HASH_ITERATIONS 1024
#define IRIS_SALT_LEN 8

/* "<40 upper-case hex>,<salt>" for password with salt (tests), or with a
 * random alphanumeric salt (salt NULL).  NULL when no random bytes. */
char *iris_password_hash(const char *password, const char *salt);

/* The fields the merge file is made of (any may be NULL). */
struct iris_merge_in {
	const char *node;		/* its MachineName, for messages */
	const char *password_hash;	/* iris_password_hash() */
	const char *superserver_port, *webserver_port, *system_mode;
	const char *wij_dir, *journal1_dir, *journal2_dir;
	const char *user_cpf;		/* UserCPF: a local file, appended */
	/* [config] memory: the ISCglobals, ISCroutines, ISCgmheap,
	 * ISClocksiz, ISCbbsiz, ISCmemlock fields */
	const char *globals, *routines, *gmheap, *locksiz, *bbsiz, *memlock;
	const char *max_servers;	/* MaxServers and MaxServerConn */
	bool enable_sharding;		/* [Startup] EnableSharding=1 */
};

/* Appends the merge file to out: each value on its own key=value line,
 * a port as digits (src/iris/cos.h).  -1 reported (a value with a control
 * character, which would start a line of its own, a port that is not a
 * number, UserCPF unreadable or setting what icm owns); the message names
 * the node and the field, never the value; *why (why not NULL; replaced,
 * caller frees) gets it too. */
int iris_merge_text(const struct iris_merge_in *in, struct buf *out,
		    char **why) WARN_UNUSED;

#endif
