/*
 * gateway.c: the Web Gateway's CSP.ini for a WS node: the IRIS nodes it
 * serves (icm-reference §4.3), every value through cos.c.
 */
#include "topo.h"
#include "cos.h"
#include "../state/log.h"
#include "../util/str.h"

/* ------------------------------------------------------- Web Gateway */

/* The IRIS nodes a Web Gateway serves (icm-reference §4.3), in order. */
static size_t gateway_targets(const struct iris_topo *t,
			      const struct inode **out)
{
	static const char *const tiers[][2] = {
		{ "AM", NULL }, { "DATA", "COMPUTE" }, { "DM", NULL },
	};
	size_t i, k, n = 0;

	for (k = 0; k < ARRAY_SIZE(tiers) && !n; k++)
		for (i = 0; i < t->n; i++) {
			const struct inode *x = &t->v[i];

			if ((is(x, tiers[k][0]) ||
			     (tiers[k][1] && is(x, tiers[k][1]))) && leads(x))
				out[n++] = x;
		}
	return n;
}

/* Whether every value CSP.ini takes for n (its own fields, each server's
 * address and port, the password) can go on an ini line.  -1 reported
 * (never with the value: one is the password). */
static int csp_values(const struct iris_topo *t, const struct node *n,
		      const struct inode *const *srv, size_t ns,
		      const char *password, char **why)
{
	static const char *const own[] = { "ApplicationPath",
					   "AlternativeServers" };
	struct cos_where w = { .node = n->name, .step = "CSP.ini",
			       .why = why };
	const char *v;
	size_t i;

	w.field = "ISCPassword";
	if (password && cos_text(password, &w))
		return -1;
	for (i = 0; i < ARRAY_SIZE(own); i++) {
		w.field = own[i];
		v = t->field(t->arg, n, own[i]);
		if (v && cos_text(v, &w))
			return -1;
	}
	for (i = 0; i < ns; i++) {
		w.owner = srv[i]->n->name;
		w.field = srv[i]->addr_field;
		if (cos_text(srv[i]->addr, &w))
			return -1;
		w.field = "SuperServerPort";
		if (cos_port_check(srv[i]->port, &w))
			return -1;
	}
	return 0;
}

int iris_csp_check(const struct iris_topo *t, const struct node *n,
		   const char *password)
{
	const struct inode **srv = xcalloc(t->n + 1, sizeof(*srv));
	int rc = csp_values(t, n, srv, gateway_targets(t, srv), password,
			    NULL);

	free(srv);
	return rc;
}

int iris_csp_ini(const struct iris_topo *t, const struct node *n,
		 const char *password, const char *tls_dir, struct buf *out,
		 char **why)
{
	const struct inode **srv = xcalloc(t->n + 1, sizeof(*srv));
	const char *path = t->field(t->arg, n, "ApplicationPath");
	const char *alt = t->field(t->arg, n, "AlternativeServers");
	size_t ns = gateway_targets(t, srv), i, ws = 0, def;
	int rc = 0;

	for (i = 0; i < t->n && t->v[i].n != n; i++)
		ws += is(&t->v[i], "WS");
	if (!ns) {
		rc = error_why(why, "%s: there is no AM, DATA or DM node for "
			       "the Web Gateway to serve", n->name);
		goto out;
	}
	if (csp_values(t, n, srv, ns, password, why)) {
		rc = -1;
		goto out;
	}
	def = ws % ns;
	rc |= buf_addf(out, "[SYSTEM]\nSystem_Manager=127.0.0.1\n"
		       "Default_Server=%s\n[SYSTEM_INDEX]\n",
		       srv[def]->sysname);
	for (i = 0; i < ns; i++)
		rc |= buf_addf(out, "%s=Enabled\n", srv[i]->sysname);
	for (i = 0; i < ns; i++) {
		rc |= buf_addf(out, "[%s]\nIp_Address=%s\nTCP_Port=%s\n"
			       "Username=CSPSystem\nPassword=%s\n"
			       "Minimum_Server_Connections=3\n"
			       "Maximum_Session_Connections=6\n"
			       "Connection_Security_Level=10\n"
			       "SSLCC_Protocol_Min=16\nSSLCC_Protocol_Max=32\n"
			       "SSLCC_Certificate_File=%s/CertificateFile.pem\n"
			       "SSLCC_Certificate_Key_File=%s/PrivateKeyFile."
			       "pem\nSSLCC_CA_Certificate_File=%s/CAFile.pem\n",
			       srv[i]->sysname, srv[i]->addr, srv[i]->port,
			       password ? password : "", tls_dir, tls_dir,
			       tls_dir);
		if (srv[i]->member)
			rc |= buf_adds(out, "Mirror_Aware=1\n");
	}
	rc |= buf_addf(out, "[APP_PATH_INDEX]\n/=Enabled\n/csp=Enabled\n"
		       "%s%s[APP_PATH:/]\nDefault_Server=%s\n"
		       "[APP_PATH:/csp]\nDefault_Server=%s\n",
		       path ? path : "", path ? "=Enabled\n" : "",
		       srv[def]->sysname, srv[def]->sysname);
	if (path) {
		size_t k = 0;

		rc |= buf_addf(out, "[APP_PATH:%s]\nDefault_Server=%s\n"
			       "Alternative_Servers=%s\n", path,
			       srv[def]->sysname, alt ? alt : "LoadBalancing");
		for (i = 0; i < ns; i++)
			if (i != def)
				rc |= buf_addf(out, "Alternative_Server_%zu="
					       "1~~~~~~%s\n", k++,
					       srv[i]->sysname);
	}
	if (rc)
		rc = error_why(why, "%s: CSP.ini is too large", n->name);
out:
	free(srv);
	return rc;
}

