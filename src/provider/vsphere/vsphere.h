/*
 * vsphere.h: the vSphere provider (provider.h) on vCenter's vim25 API
 * (vim.h), on the provider engine (resource.h).
 *
 * What a deployment <Label>-<Tag> is made of:
 *   folder      the VM folder <Label>-<Tag> under the datacenter's VM
 *               folder (journal key "folder"); deleted at teardown only
 *               when empty, so nothing of the user's goes with it
 *   node/<m>    one VM per machine, a clone of Template named exactly the
 *               machine name, in that folder, with VCPU, Memory, GuestID,
 *               SCSIControllerCount paravirtual SCSI controllers, one disk
 *               per IRIS volume on its *VolumeSCSIController, guest
 *               customization (host name = machine name, Domain,
 *               DNSServers/DNSSuffixes, the definition's IPv4Addresses or
 *               DHCP), powered on.  Made per definition in one batch
 *               (resource.h): the clones start together and are waited
 *               for together.
 * Every VM carries the custom attributes icm.deployment = <Label>-<Tag>
 * and icm.machine = its machine name: listings find the deployment's VMs
 * by them (engine_reconcile(), the teardown's sweep).  A clone whose
 * answer a kill lost is found again by its name in the folder and marked
 * then (a resumed batch).
 *
 * Threads: one; vCenter works the clones in parallel.
 */
#ifndef ICM_VSPHERE_H
#define ICM_VSPHERE_H

#include "../provider.h"
#include "../resource.h"
#include "vim.h"

#define VS_FIELD_DEP "icm.deployment"
#define VS_FIELD_MACHINE "icm.machine"
#define VS_MAX_CTRL 4			/* SCSI controllers (fields.def) */

/* The template's devices the clone spec builds on. */
struct vs_template {
	char *id;			/* VirtualMachine */
	int nics;			/* network adapters */
	int nic_key[8];			/* their device keys */
	char *nic_type[8];		/* their xsi:type (allocated) */
	int nctrl;			/* SCSI controllers */
	int ctrl_key[VS_MAX_CTRL];	/* by bus number; 0 none */
	int used_units[VS_MAX_CTRL];	/* bit mask of units taken */
	long long disk_kb;		/* its disks' capacity (a clone copies
					   them) */
};

struct vs {
	const struct provider_ctx *pc;
	const struct plan *plan;
	const struct node *any;		/* the first node (shared fields) */
	char *dep;			/* <Label>-<Tag> */
	struct vim v;
	struct engine *e;
	bool tearing_down;
	/* inventory, found once (allocated morefs) */
	char *dc, *vm_folder, *pool, *datastore, *pod, *network,
	     *network_type;		/* Network or DistributedVirtualPortgroup */
	char *dvs_uuid, *pg_key;	/* a distributed port group's */
	struct vs_template tmpl;
	char *folder;			/* the deployment's VM folder */
	int key_dep, key_machine;	/* the custom attributes' keys */
};

/* fld(n, "Field"): a node's value of a field, or NULL. */
const char *vs_fld(const struct node *n, const char *field);

/* inventory.c: connects, logs in, finds what the configuration names;
 * each -1 reported naming the field. */
int vs_connect(struct vs *s);
/* full: all of it (provision); else the datacenter and its VM folder
 * (unprovision, which needs no template). */
int vs_inventory(struct vs *s, bool full);
int vs_fields(struct vs *s);		/* the custom attributes' keys */
/* The deployment's VM folder, made or found through the engine. */
int vs_folder(struct vs *s);

/* clone.c: the VMs of one definition (its nodes of p), made through
 * engine_ensure_nodes(), then waited for until each reports its IP
 * address (set as the node's IPAddress). */
int vs_apply_definition(struct vs *s, struct plan *p, int def);
int vs_wait_guests(struct vs *s, struct plan *p);

/* kinds.c: the engine's kinds. */
extern const struct res_kind vs_kind_folder, vs_kind_vm;
extern const struct res_kind *const vs_kinds[];
/* inventory.c: the folder kind's listing. */
int vs_folder_list(void *prov, struct engine *e, struct cloud_err *err);
/* Sets the custom attributes of VM id (a resumed clone's). */
int vs_mark(struct vs *s, const char *id, const char *machine,
	    struct cloud_err *err);

#endif
