/*
 * vim.h: the vim25 calls the vSphere provider makes, on cloud/soap.h: the
 * service content, login and logout, property reads (of given objects or
 * of everything of a type under a container), finding an object by name,
 * and waiting for tasks.
 *
 * Managed object references are kept as their value ("vm-42",
 * "datastore-/tmp/x@y": values may hold '/' and '@') with the type the
 * caller knows.  Values and names from the configuration reach requests
 * only through soap_addf()'s escaping.
 *
 * Ownership: struct vim is the caller's (vim_close() releases it); trees
 * returned through **root are the caller's (xml_free()); pointers into a
 * tree live as long as it.
 */
#ifndef ICM_VSPHERE_VIM_H
#define ICM_VSPHERE_VIM_H

#include "../../cloud/soap.h"

struct vim {
	struct soap_client soap;
	/* from the service content (allocated) */
	char *root_folder, *prop_collector, *session_mgr, *search_index,
	     *view_mgr, *fields_mgr, *storage_mgr;
	char *api_version;
	bool logged_in;
};

/* TLS and endpoint: server is a host[:port] (https://<server>/sdk) or a
 * full http(s):// URL (tests). */
struct vim_opts {
	const char *server;
	const char *ca_file;		/* NULL: system trust */
	bool insecure;
};

/* Connects and reads the service content.  -1 with err set. */
int vim_open(struct vim *v, const struct vim_opts *o, struct cloud_err *err)
	WARN_UNUSED;
/* Logs in (the password's request buffer wiped after).  -1 with err. */
int vim_login(struct vim *v, const char *user, const char *password,
	      struct cloud_err *err) WARN_UNUSED;
/* Logs out if logged in, then releases everything. */
void vim_close(struct vim *v);

/* One call: body built by the caller (soap_addf()); *ret the answer's
 * returnval (NULL when the method returns nothing); *root to free. */
int vim_call(struct vim *v, const char *method, const struct buf *body,
	     struct xml_node **root, const struct xml_node **ret,
	     struct cloud_err *err) WARN_UNUSED;

/* The properties props (space-separated paths) of objects ids[0..n) of
 * type type.  *root is the answer: its Body's response holds one
 * returnval (ObjectContent) per object (vim_each()). */
int vim_props(struct vim *v, const char *type, const char *const *ids,
	      size_t n, const char *props, struct xml_node **root,
	      struct cloud_err *err) WARN_UNUSED;

/* The properties props of every object of type type under container
 * (of container_type; recursive), through a container view. */
int vim_list(struct vim *v, const char *container_type,
	     const char *container, const char *type, const char *props,
	     struct xml_node **root, struct cloud_err *err) WARN_UNUSED;

/* The first ObjectContent of an answer of vim_props()/vim_list(), and the
 * next one; NULL at the end. */
const struct xml_node *vim_first(const struct xml_node *root);
const struct xml_node *vim_next(const struct xml_node *oc);
/* An ObjectContent's object value, and its property name's val element
 * (NULL when unset). */
const char *vim_obj(const struct xml_node *oc);
const struct xml_node *vim_prop(const struct xml_node *oc, const char *name);
/* A managed object reference's type (its plain "type" attribute, not
 * xsi:type), or NULL. */
const char *vim_moref_type(const struct xml_node *ref);
/* The text of a property ("" when it has none, NULL when unset). */
const char *vim_prop_text(const struct xml_node *oc, const char *name);

/*
 * The object of type type named name under container: a name with '/' is
 * an inventory path from the root folder (SearchIndex.FindByInventoryPath,
 * "DC0/host/Cluster"), any other is looked for by name among all objects
 * of type under container.  *id allocated; NULL (and 0) when none;
 * two of that name: -1 with an error that says to give a path.
 */
int vim_find(struct vim *v, const char *container_type,
	     const char *container, const char *type, const char *name,
	     char **id, struct cloud_err *err) WARN_UNUSED;

/* One task being waited for. */
struct vim_task {
	char *id;			/* the Task (allocated), NULL: none */
	char *result;			/* info.result's text (allocated) */
	struct cloud_err err;		/* info.error, or the wait's end */
	bool done;			/* success or error */
};

/* Calls method (a *_Task) with body; t->id its task.  -1 with err. */
int vim_task_start(struct vim *v, const char *method, const struct buf *body,
		   struct vim_task *t, struct cloud_err *err) WARN_UNUSED;

/* Waits until every task of t[0..n) succeeded or failed, or timeout_ms
 * passed (the ones left then get a timeout error naming what, from
 * what).  Returns the number that failed. */
size_t vim_wait(struct vim *v, struct vim_task *t, size_t n,
		long timeout_ms, const char *what);
void vim_task_release(struct vim_task *t);

#endif
