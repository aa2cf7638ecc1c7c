/*
 * vim.c: vim25's service content, session, property reads, lookups and
 * task waits (see vim.h).
 */
#include "vim.h"
#include "../../state/log.h"
#include "../../util/str.h"
#include <time.h>

#define VIM_NS "urn:vim25"
#define VIM_VERSION "6.7"		/* every vCenter since 6.7 speaks it */
#define BODY_CAP (1u << 20)

static char *dup_text(const struct xml_node *n)
{
	return xml_text(n) ? xstrdup(xml_text(n)) : NULL;
}

int vim_call(struct vim *v, const char *method, const struct buf *body,
	     struct xml_node **root, const struct xml_node **ret,
	     struct cloud_err *err)
{
	const struct xml_node *r;

	debug("vSphere %s", method);
	if (soap_call(&v->soap, method, body, root, &r, err))
		return -1;
	if (ret)
		*ret = xml_child(r, "returnval");
	return 0;
}

int vim_open(struct vim *v, const struct vim_opts *o, struct cloud_err *err)
{
	struct soap_opts so = {
		.ns = VIM_NS, .version = VIM_VERSION,
		.ca_file = o->ca_file, .insecure = o->insecure,
	};
	char *url = strstr(o->server, "://") ? xstrdup(o->server) :
		xasprintf("https://%s/sdk", o->server);
	char *why = NULL;
	struct buf b;
	struct xml_node *root = NULL;
	const struct xml_node *rv;
	int ret = -1;

	memset(v, 0, sizeof(*v));
	buf_init(&b, BODY_CAP);
	so.url = url;
	if (soap_open(&v->soap, &so, &why)) {
		cloud_err_take(err, CLOUD_ERR_OTHER, why);
		goto out;
	}
	if (soap_addf(&b, "<RetrieveServiceContent xmlns=\"" VIM_NS "\">"
		      "<_this type=\"ServiceInstance\">ServiceInstance</_this>"
		      "</RetrieveServiceContent>") ||
	    vim_call(v, "RetrieveServiceContent", &b, &root, &rv, err))
		goto out;
	v->root_folder = dup_text(xml_child(rv, "rootFolder"));
	v->prop_collector = dup_text(xml_child(rv, "propertyCollector"));
	v->session_mgr = dup_text(xml_child(rv, "sessionManager"));
	v->search_index = dup_text(xml_child(rv, "searchIndex"));
	v->view_mgr = dup_text(xml_child(rv, "viewManager"));
	v->fields_mgr = dup_text(xml_child(rv, "customFieldsManager"));
	v->storage_mgr = dup_text(xml_child(rv, "storageResourceManager"));
	v->api_version = dup_text(xml_path(rv, "about/apiVersion"));
	if (!v->root_folder || !v->prop_collector || !v->session_mgr ||
	    !v->search_index || !v->view_mgr) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "%s is not a vCenter "
			      "(its service content lacks the inventory)",
			      url);
		goto out;
	}
	debug("vSphere: %s, API %s", url,
	      v->api_version ? v->api_version : "?");
	ret = 0;
out:
	xml_free(root);
	buf_release(&b);
	free(url);
	return ret;
}

int vim_login(struct vim *v, const char *user, const char *password,
	      struct cloud_err *err)
{
	struct buf b;
	struct xml_node *root = NULL;
	int ret = -1;

	buf_init(&b, BODY_CAP);
	if (soap_addf(&b, "<Login xmlns=\"" VIM_NS "\"><_this type=\""
		      "SessionManager\">%s</_this><userName>%s</userName>"
		      "<password>%s</password></Login>", v->session_mgr,
		      user, password) ||
	    vim_call(v, "Login", &b, &root, NULL, err))
		goto out;
	if (!v->soap.cookie[0]) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "vCenter set no session "
			      "cookie at login");
		goto out;
	}
	v->logged_in = true;
	ret = 0;
out:
	xml_free(root);
	buf_wipe(&b);
	buf_release(&b);
	return ret;
}

void vim_close(struct vim *v)
{
	if (v->logged_in) {
		struct buf b;
		struct xml_node *root = NULL;
		struct cloud_err err = CLOUD_ERR_INIT;

		buf_init(&b, BODY_CAP);
		if (soap_addf(&b, "<Logout xmlns=\"" VIM_NS "\"><_this type="
			      "\"SessionManager\">%s</_this></Logout>",
			      v->session_mgr) ||
		    vim_call(v, "Logout", &b, &root, NULL, &err))
			debug("vSphere: logout: %s",
			      err.msg ? err.msg : "request too large");
		xml_free(root);
		buf_release(&b);
		cloud_err_release(&err);
	}
	soap_close(&v->soap);
	free(v->root_folder);
	free(v->prop_collector);
	free(v->session_mgr);
	free(v->search_index);
	free(v->view_mgr);
	free(v->fields_mgr);
	free(v->storage_mgr);
	free(v->api_version);
	memset(v, 0, sizeof(*v));
}

/* <propSet> of type with the paths of props (space-separated). */
static int prop_set(struct buf *b, const char *type, const char *props)
{
	char *s = xstrdup(props), *w, *save = NULL;
	int r = soap_addf(b, "<propSet><type>%s</type>", type);

	for (w = strtok_r(s, " ", &save); w && !r;
	     w = strtok_r(NULL, " ", &save))
		r = soap_addf(b, "<pathSet>%s</pathSet>", w);
	free(s);
	return r || soap_addf(b, "</propSet>");
}

static int retrieve(struct vim *v, struct buf *b, struct xml_node **root,
		    struct cloud_err *err)
{
	if (soap_addf(b, "</specSet></RetrieveProperties>"))
		return cloud_err_set(err, CLOUD_ERR_OTHER, "RetrieveProperties:"
				     " request too large");
	return vim_call(v, "RetrieveProperties", b, root, NULL, err);
}

int vim_props(struct vim *v, const char *type, const char *const *ids,
	      size_t n, const char *props, struct xml_node **root,
	      struct cloud_err *err)
{
	struct buf b;
	size_t i;
	int ret = -1;

	*root = NULL;
	buf_init(&b, SOAP_BODY_CAP);
	if (soap_addf(&b, "<RetrieveProperties xmlns=\"" VIM_NS "\"><_this "
		      "type=\"PropertyCollector\">%s</_this><specSet>",
		      v->prop_collector) || prop_set(&b, type, props))
		goto big;
	for (i = 0; i < n; i++)
		if (soap_addf(&b, "<objectSet><obj type=\"%s\">%s</obj>"
			      "</objectSet>", type, ids[i]))
			goto big;
	ret = retrieve(v, &b, root, err);
	goto out;
big:
	cloud_err_set(err, CLOUD_ERR_OTHER, "RetrieveProperties: request too "
		      "large");
out:
	buf_release(&b);
	return ret;
}

static int destroy_view(struct vim *v, const char *view)
{
	struct buf b;
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret;

	buf_init(&b, BODY_CAP);
	ret = soap_addf(&b, "<DestroyView xmlns=\"" VIM_NS "\"><_this type="
			"\"ContainerView\">%s</_this></DestroyView>", view) ||
	      vim_call(v, "DestroyView", &b, &root, NULL, &err);
	if (ret)
		debug("vSphere: DestroyView: %s", err.msg ? err.msg : "?");
	xml_free(root);
	buf_release(&b);
	cloud_err_release(&err);
	return ret;
}

int vim_list(struct vim *v, const char *container_type,
	     const char *container, const char *type, const char *props,
	     struct xml_node **root, struct cloud_err *err)
{
	struct buf b;
	struct xml_node *vr = NULL;
	const struct xml_node *rv;
	char *view = NULL;
	int ret = -1;

	*root = NULL;
	buf_init(&b, SOAP_BODY_CAP);
	if (soap_addf(&b, "<CreateContainerView xmlns=\"" VIM_NS "\"><_this "
		      "type=\"ViewManager\">%s</_this><container type=\"%s\">"
		      "%s</container><type>%s</type><recursive>true"
		      "</recursive></CreateContainerView>", v->view_mgr,
		      container_type, container, type) ||
	    vim_call(v, "CreateContainerView", &b, &vr, &rv, err))
		goto out;
	if (!xml_text(rv) || !*xml_text(rv)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "CreateContainerView: no "
			      "view in the answer");
		goto out;
	}
	view = xstrdup(xml_text(rv));
	buf_release(&b);
	buf_init(&b, SOAP_BODY_CAP);
	if (soap_addf(&b, "<RetrieveProperties xmlns=\"" VIM_NS "\"><_this "
		      "type=\"PropertyCollector\">%s</_this><specSet>",
		      v->prop_collector) || prop_set(&b, type, props) ||
	    soap_addf(&b, "<objectSet><obj type=\"ContainerView\">%s</obj>"
		      "<skip>true</skip><selectSet xsi:type=\"TraversalSpec\">"
		      "<name>view</name><type>ContainerView</type><path>view"
		      "</path><skip>false</skip></selectSet></objectSet>",
		      view)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "RetrieveProperties: "
			      "request too large");
		goto out;
	}
	ret = retrieve(v, &b, root, err);
out:
	if (view)
		destroy_view(v, view);
	free(view);
	xml_free(vr);
	buf_release(&b);
	return ret;
}

const struct xml_node *vim_first(const struct xml_node *root)
{
	const struct xml_node *r = xml_child(root, "Body");

	return xml_child(r ? r->children : NULL, "returnval");
}

const struct xml_node *vim_next(const struct xml_node *oc)
{
	return xml_next_same(oc);
}

const char *vim_obj(const struct xml_node *oc)
{
	return xml_text(xml_child(oc, "obj"));
}

const struct xml_node *vim_prop(const struct xml_node *oc, const char *name)
{
	const struct xml_node *p;

	for (p = xml_child(oc, "propSet"); p; p = xml_next_same(p))
		if (xml_text(xml_child(p, "name")) &&
		    !strcmp(xml_text(xml_child(p, "name")), name))
			return xml_child(p, "val");
	return NULL;
}

const char *vim_moref_type(const struct xml_node *ref)
{
	size_t i;

	for (i = 0; ref && i < ref->nattrs; i++)
		if (!ref->attrs[i].ns && !strcmp(ref->attrs[i].name, "type"))
			return ref->attrs[i].value;
	return NULL;
}

const char *vim_prop_text(const struct xml_node *oc, const char *name)
{
	return xml_text(vim_prop(oc, name));
}

static int find_path(struct vim *v, const char *path, char **id,
		     struct cloud_err *err)
{
	struct buf b;
	struct xml_node *root = NULL;
	const struct xml_node *rv;
	int ret = -1;

	buf_init(&b, BODY_CAP);
	if (soap_addf(&b, "<FindByInventoryPath xmlns=\"" VIM_NS "\"><_this "
		      "type=\"SearchIndex\">%s</_this><inventoryPath>%s"
		      "</inventoryPath></FindByInventoryPath>",
		      v->search_index, path) ||
	    vim_call(v, "FindByInventoryPath", &b, &root, &rv, err))
		goto out;
	*id = rv && *xml_text(rv) ? xstrdup(xml_text(rv)) : NULL;
	ret = 0;
out:
	xml_free(root);
	buf_release(&b);
	return ret;
}

int vim_find(struct vim *v, const char *container_type,
	     const char *container, const char *type, const char *name,
	     char **id, struct cloud_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *oc;
	int ret = -1;

	*id = NULL;
	if (strchr(name, '/'))
		return find_path(v, name, id, err);
	if (vim_list(v, container_type, container, type, "name", &root, err))
		return -1;
	for (oc = vim_first(root); oc; oc = vim_next(oc)) {
		const char *nm = vim_prop_text(oc, "name");

		if (!nm || strcmp(nm, name) || !vim_obj(oc))
			continue;
		if (*id) {
			cloud_err_set(err, CLOUD_ERR_INVALID, "more than one "
				      "%s is named '%s': give its inventory "
				      "path", type, name);
			free(*id);
			*id = NULL;
			goto out;
		}
		*id = xstrdup(vim_obj(oc));
	}
	ret = 0;
out:
	xml_free(root);
	return ret;
}

int vim_task_start(struct vim *v, const char *method, const struct buf *body,
		   struct vim_task *t, struct cloud_err *err)
{
	struct xml_node *root = NULL;
	const struct xml_node *rv;

	if (vim_call(v, method, body, &root, &rv, err))
		return -1;
	t->id = xstrdup(xml_text(rv) ?: "");
	xml_free(root);
	return 0;
}

void vim_task_release(struct vim_task *t)
{
	free(t->id);
	free(t->result);
	cloud_err_release(&t->err);
	memset(t, 0, sizeof(*t));
}

/* One look at the tasks still running; -1 when the read failed. */
static int look(struct vim *v, struct vim_task *t, size_t n,
		struct cloud_err *err)
{
	const char **ids = xcalloc(n ? n : 1, sizeof(char *));
	struct xml_node *root = NULL;
	const struct xml_node *oc;
	size_t i, k = 0;
	int ret = -1;

	for (i = 0; i < n; i++)
		if (t[i].id && !t[i].done)
			ids[k++] = t[i].id;
	if (vim_props(v, "Task", ids, k, "info", &root, err))
		goto out;
	for (oc = vim_first(root); oc; oc = vim_next(oc)) {
		const struct xml_node *info = vim_prop(oc, "info");
		const char *state = xml_text(xml_child(info, "state"));

		for (i = 0; i < n; i++)
			if (t[i].id && vim_obj(oc) &&
			    !strcmp(t[i].id, vim_obj(oc)))
				break;
		if (i == n || !state)
			continue;
		if (!strcmp(state, "success")) {
			t[i].done = true;
			t[i].result = dup_text(xml_child(info, "result"));
		} else if (!strcmp(state, "error")) {
			t[i].done = true;
			soap_method_fault(xml_child(info, "error"), &t[i].err);
		}
	}
	ret = 0;
out:
	xml_free(root);
	free(ids);
	return ret;
}

size_t vim_wait(struct vim *v, struct vim_task *t, size_t n,
		long timeout_ms, const char *what)
{
	int64_t end = http_now_ms() + timeout_ms;
	long pause = 100;
	size_t i, left, failed = 0;

	for (;;) {
		struct cloud_err err = CLOUD_ERR_INIT;

		for (i = left = 0; i < n; i++)
			left += t[i].id && !t[i].done;
		if (!left)
			break;
		if (look(v, t, n, &err)) {
			for (i = 0; i < n; i++)
				if (t[i].id && !t[i].done) {
					t[i].done = true;
					cloud_err_set(&t[i].err, err.cls,
						      "%s", err.msg);
				}
			cloud_err_release(&err);
			break;
		}
		for (i = left = 0; i < n; i++)
			left += t[i].id && !t[i].done;
		if (!left)
			break;
		if (http_now_ms() >= end) {
			for (i = 0; i < n; i++)
				if (t[i].id && !t[i].done) {
					t[i].done = true;
					cloud_err_set(&t[i].err,
						      CLOUD_ERR_TRANSIENT,
						      "%s did not finish "
						      "within %ld minute%s",
						      what, timeout_ms / 60000,
						      timeout_ms / 60000 == 1 ?
						      "" : "s");
				}
			break;
		}
		http_sleep_ms(pause);
		if (pause < 2000)
			pause *= 2;
	}
	for (i = 0; i < n; i++)
		failed += t[i].id && t[i].err.cls != CLOUD_ERR_NONE;
	return failed;
}
