/*
 * kinds.c: what a vSphere deployment is made of, as the engine's kinds
 * (resource.h; see vsphere.h): the VMs, listed by their icm.deployment
 * custom attribute, powered off and destroyed; the folder, listed by its
 * name and destroyed only when it holds nothing.
 */
#include "vsphere.h"
#include "../../state/log.h"
#include "../../util/str.h"

#define MINUTE_MS 60000L

/* A VM's value of custom attribute key (customValue), or NULL. */
static const char *custom(const struct xml_node *oc, int key)
{
	const struct xml_node *c;

	for (c = xml_child(vim_prop(oc, "customValue"), "CustomFieldValue");
	     c; c = xml_next_same(c))
		if (atoi(xml_text(xml_child(c, "key")) ?: "0") == key)
			return xml_text(xml_child(c, "value"));
	return NULL;
}

static int list_vms(void *prov, struct engine *e, struct cloud_err *err)
{
	struct vs *s = prov;
	struct xml_node *root = NULL;
	const struct xml_node *oc;

	if (vim_list(&s->v, "Datacenter", s->dc, "VirtualMachine",
		     "name customValue", &root, err))
		return -1;
	for (oc = vim_first(root); oc; oc = vim_next(oc)) {
		const char *dep = custom(oc, s->key_dep);
		const char *m = custom(oc, s->key_machine);
		char *key;

		if (!dep || strcmp(dep, s->dep) || !m || !*m)
			continue;
		key = xasprintf("node/%s", m);
		engine_found(e, key, vim_obj(oc));
		free(key);
	}
	xml_free(root);
	return 0;
}

/* Starts method (a *_Task of a VirtualMachine or Folder) on id; t->id
 * its task; not found: no task and no error. */
static int start(struct vs *s, const char *method, const char *type,
		 const char *id, struct vim_task *t, struct cloud_err *err)
{
	struct buf b;
	int ret = -1;

	buf_init(&b, 1 << 16);
	if (soap_addf(&b, "<%r xmlns=\"urn:vim25\"><_this type=\"%r\">%s"
		      "</_this></%r>", method, type, id, method)) {
		cloud_err_set(err, CLOUD_ERR_OTHER, "%s: request too large",
			      method);
		goto out;
	}
	ret = vim_task_start(&s->v, method, &b, t, err);
	if (ret && err->cls == CLOUD_ERR_NOT_FOUND) {
		cloud_err_release(err);
		ret = 0;
	}
out:
	buf_release(&b);
	return ret;
}

/* The tasks of t[0..n) waited for; the first failure (other than the
 * object being gone) into err.  -1 when one failed. */
static int finish(struct vs *s, struct vim_task *t, size_t n, long ms,
		  const char *what, const char *const *ids,
		  struct cloud_err *err, bool power_off)
{
	size_t i;
	int ret = 0;

	vim_wait(&s->v, t, n, ms, what);
	for (i = 0; i < n; i++) {
		enum cloud_err_class c = t[i].err.cls;

		/* gone, or already off */
		if (c == CLOUD_ERR_NONE || c == CLOUD_ERR_NOT_FOUND ||
		    (power_off && t[i].err.msg &&
		     !strncmp(t[i].err.msg, "InvalidPowerState", 17)))
			continue;
		if (!ret)
			cloud_err_set(err, c, "%s: %s", ids[i], t[i].err.msg);
		ret = -1;
	}
	for (i = 0; i < n; i++)
		vim_task_release(&t[i]);
	return ret;
}

/* Powers off (within ShutdownWaitTimeout) and destroys ids[0..n). */
static int destroy_vms(void *prov, const char *const *ids, size_t n,
		       struct cloud_err *err)
{
	struct vs *s = prov;
	struct vim_task *t = xcalloc(n ? n : 1, sizeof(*t));
	struct xml_node *root = NULL;
	const struct xml_node *oc;
	long off_ms = atol(vs_fld(s->any, "ShutdownWaitTimeout") ?: "3") *
		MINUTE_MS;
	size_t i;
	int ret = -1;

	if (vim_props(&s->v, "VirtualMachine", (const char **)ids, n,
		      "runtime.powerState", &root, err)) {
		if (err->cls != CLOUD_ERR_NOT_FOUND)
			goto out;
		cloud_err_release(err);
	}
	for (oc = vim_first(root); oc; oc = vim_next(oc)) {
		const char *st = vim_prop_text(oc, "runtime.powerState");

		for (i = 0; i < n && st && strcmp(st, "poweredOff"); i++)
			if (!strcmp(ids[i], vim_obj(oc)) &&
			    start(s, "PowerOffVM_Task", "VirtualMachine",
				  ids[i], &t[i], err))
				goto out;
	}
	if (finish(s, t, n, off_ms ? off_ms : MINUTE_MS, "the power-off",
		   ids, err, true))
		goto out;
	for (i = 0; i < n; i++)
		if (start(s, "Destroy_Task", "VirtualMachine", ids[i], &t[i],
			  err))
			goto out;
	ret = finish(s, t, n, 10 * MINUTE_MS, "the destroy", ids, err, false);
out:
	for (i = 0; i < n; i++)
		vim_task_release(&t[i]);
	free(t);
	xml_free(root);
	return ret;
}

/* The folder goes only when empty: what is left in it is not icm's. */
static int destroy_folder(void *prov, const char *const *ids, size_t n,
			  struct cloud_err *err)
{
	struct vs *s = prov;
	struct vim_task t;
	size_t i;

	for (i = 0; i < n; i++) {
		struct xml_node *root = NULL;
		const struct xml_node *c;
		size_t left;

		if (vim_props(&s->v, "Folder", &ids[i], 1, "childEntity",
			      &root, err)) {
			if (err->cls != CLOUD_ERR_NOT_FOUND)
				return -1;
			cloud_err_release(err);
			continue;
		}
		c = vim_prop(vim_first(root), "childEntity");
		left = c ? xml_count(c, NULL) : 0;
		xml_free(root);
		if (left) {
			warning("vSphere: the folder %s still holds %zu "
				"object%s icm did not make: it is left in "
				"place", s->dep, left, left == 1 ? "" : "s");
			continue;
		}
		memset(&t, 0, sizeof(t));
		if (start(s, "Destroy_Task", "Folder", ids[i], &t, err) ||
		    finish(s, &t, 1, 10 * MINUTE_MS, "the folder's destroy",
			   &ids[i], err, false))
			return -1;
	}
	return 0;
}

static const char *const folder_keys[] = { "folder", NULL };
static const char *const vm_after[] = { "folder", NULL };

const struct res_kind vs_kind_folder = {
	.name = "folder",
	.keys = folder_keys,
	.list = vs_folder_list,
	.destroy = destroy_folder,
};

const struct res_kind vs_kind_vm = {
	.name = "virtual machine",
	.after = vm_after,
	.node = true,
	.list = list_vms,
	.destroy = destroy_vms,
};

const struct res_kind *const vs_kinds[] = { &vs_kind_vm, &vs_kind_folder,
					    NULL };
