/*
 * elb.c: an AWS LoadBalancer node as a network load balancer (ELB v2),
 * its target groups, registrations and listeners; and their sweep at
 * unprovision (see aws.h).
 */
#include "aws.h"
#include "../defs.h"
#include <bearssl.h>
#include "../../state/log.h"
#include "../../util/str.h"

/* An ELB (v2) name: at most 32 letters, digits and hyphens. */
static char *elb_name(const char *base, const char *suffix)
{
	char *s = xasprintf("%s%s", base, suffix ? suffix : "");
	size_t i, len = strlen(s);

	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			s[i] = '-';
	if (len > 32) {
		size_t sl = suffix ? strlen(suffix) : 0, cut = 32 - sl;

		while (cut > 1 && s[cut - 1] == '-')	/* ELB: no "--" */
			cut--;
		memmove(s + cut, s + len - sl, sl + 1);
	}
	len = strlen(s);
	while (len > 1 && s[len - 1] == '-')	/* nor a final '-' */
		s[--len] = '\0';
	return s;
}

/*
 * An ELB call journalled under key: DONE gives the recorded ID; PENDING
 * first asks `find` (Describe*, by name) whether it exists.
 */
static int elb_ensure(struct aws *a, const char *key, const char *action,
		      const struct aws_params *p, const char *id_path,
		      const char *find, const char *find_param,
		      const char *name, char **id)
{
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = -1;

	*id = NULL;
	if (journal_id(a->j, key)) {
		*id = xstrdup(journal_id(a->j, key));
		return 0;
	}
	if (journal_state(a->j, key) == JOURNAL_PENDING && find) {
		struct aws_params q;

		aws_params_init(&q);
		aws_params_add(&q, find_param, name);
		if (!aws_svc_call(&a->elb, find, &q, &root, &err) &&
		    xml_text(xml_path(root, id_path))) {
			*id = xstrdup(xml_text(xml_path(root, id_path)));
			aws_params_release(&q);
			ret = journal_done(a->j, key, *id);
			goto out;
		}
		aws_params_release(&q);
		xml_free(root);
		root = NULL;
		cloud_err_release(&err);
	}
	if (journal_intent(a->j, key, action, NULL))
		goto out;
	if (aws_svc_call(&a->elb, action, p, &root, &err)) {
		error("%s (%s) failed: %s", action, key, err.msg);
		goto out;
	}
	if (id_path && xml_text(xml_path(root, id_path)))
		*id = xstrdup(xml_text(xml_path(root, id_path)));
	ret = journal_done(a->j, key, *id);
out:
	xml_free(root);
	cloud_err_release(&err);
	return ret;
}

/* The network load balancer of LB node lb in front of its definition's
 * nodes: a target group, registration and listener per ForwardPort. */
int aws_load_balancer(struct aws *a, struct node *lb, struct plan *p)
{
	char *name = elb_name(lb->name, NULL), *key = NULL, *arn = NULL;
	char *ports = xstrdup(fld(lb, "ForwardPort") ?
			      fld(lb, "ForwardPort") : "");
	char *port, *save = NULL, *dns = NULL;
	struct aws_tag t = { "icm:deployment", a->dep };
	struct aws_params q;
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	size_t i, k;
	int ret = -1;

	aws_params_init(&q);
	say("Creating load balancer %s...", lb->name);
	aws_params_add(&q, "Name", name);
	aws_params_add(&q, "Type", "network");
	aws_params_add(&q, "Scheme", fld_true(lb, "LoadBalancerInternal") ?
		       "internal" : "internet-facing");
	for (i = 0; i < a->nzones; i++)
		aws_params_addf(&q, a->subnets[i], "Subnets.member.%zu", i + 1);
	aws_params_add(&q, "Tags.member.1.Key", t.key);
	aws_params_add(&q, "Tags.member.1.Value", t.value);
	key = xasprintf("lb/%s", lb->name);
	if (elb_ensure(a, key, "CreateLoadBalancer", &q,
		       "CreateLoadBalancerResult/LoadBalancers/member/"
		       "LoadBalancerArn", "DescribeLoadBalancers",
		       "Names.member.1", name, &arn))
		goto out;
	for (port = strtok_r(ports, ",", &save); port;
	     port = strtok_r(NULL, ",", &save)) {
		char *tg = NULL, *tgname, *sfx;
		const char *hcp = fld(lb, "HealthCheckProtocol");

		sfx = xasprintf("-%s", port);
		tgname = elb_name(lb->name, sfx);
		free(sfx);
		aws_params_release(&q);
		aws_params_add(&q, "Name", tgname);
		aws_params_add(&q, "Protocol", "TCP");
		aws_params_add(&q, "Port", port);
		aws_params_add(&q, "VpcId", a->vpc);
		aws_params_add(&q, "TargetType", "instance");
		aws_params_add(&q, "HealthCheckProtocol", hcp ? hcp : "TCP");
		if (fld(lb, "HealthCheckPort"))
			aws_params_add(&q, "HealthCheckPort",
				       fld(lb, "HealthCheckPort"));
		if (hcp && !strcasecmp(hcp, "HTTP") &&
		    fld(lb, "HealthCheckPath"))
			aws_params_add(&q, "HealthCheckPath",
				       fld(lb, "HealthCheckPath"));
		aws_params_add(&q, "Tags.member.1.Key", t.key);
		aws_params_add(&q, "Tags.member.1.Value", t.value);
		free(key);
		key = xasprintf("tg/%s/%s", lb->name, port);
		ret = elb_ensure(a, key, "CreateTargetGroup", &q,
				 "CreateTargetGroupResult/TargetGroups/member/"
				 "TargetGroupArn", "DescribeTargetGroups",
				 "Names.member.1", tgname, &tg);
		free(tgname);
		if (!ret) {
			char *id = NULL;

			char ids[17];
			br_sha256_context h;
			unsigned char md[32];

			aws_params_release(&q);
			aws_params_add(&q, "TargetGroupArn", tg);
			br_sha256_init(&h);
			for (i = 0, k = 0; i < p->n; i++)
				if (p->nodes[i].def_index == lb->def_index &&
				    strcmp(p->nodes[i].role, "LB") &&
				    aws_node_instance(a, &p->nodes[i])) {
					const char *iid =
						aws_node_instance(a, &p->nodes[i]);

					aws_params_addf(&q, iid,
						"Targets.member.%zu.Id", ++k);
					br_sha256_update(&h, iid,
							 strlen(iid) + 1);
				}
			br_sha256_out(&h, md);
			for (i = 0; i < 8; i++)
				snprintf(ids + 2 * i, 3, "%02x", md[i]);
			/* the key names the set of targets: after a scale
			 * out the new set is registered (RegisterTargets
			 * is idempotent; AWS deregisters terminated ones) */
			free(key);
			key = xasprintf("tg-reg/%s/%s/%s", lb->name, port, ids);
			ret = elb_ensure(a, key, "RegisterTargets", &q, NULL,
					 NULL, NULL, NULL, &id);
			free(id);
		}
		if (!ret) {
			char *id = NULL;

			aws_params_release(&q);
			aws_params_add(&q, "LoadBalancerArn", arn);
			aws_params_add(&q, "Protocol", "TCP");
			aws_params_add(&q, "Port", port);
			aws_params_add(&q, "DefaultActions.member.1.Type",
				       "forward");
			aws_params_add(&q, "DefaultActions.member.1."
				       "TargetGroupArn", tg);
			free(key);
			key = xasprintf("listener/%s/%s", lb->name, port);
			ret = elb_ensure(a, key, "CreateListener", &q,
					 "CreateListenerResult/Listeners/member/"
					 "ListenerArn", NULL, NULL, NULL, &id);
			free(id);
		}
		free(tg);
		if (ret)
			goto out;
		ret = -1;
	}
	aws_params_release(&q);
	aws_params_add(&q, "LoadBalancerArns.member.1", arn);
	if (aws_svc_call(&a->elb, "DescribeLoadBalancers", &q, &root, &err)) {
		error("DescribeLoadBalancers failed: %s", err.msg);
		goto out;
	}
	dns = xstrdup(xml_text(xml_path(root, "DescribeLoadBalancersResult/"
					"LoadBalancers/member/DNSName")) ?: "");
	provider_set_field(lb, "DNSName", dns);
	provider_set_field(lb, "LoadBalancerArn", arn);
	ret = 0;
out:
	aws_params_release(&q);
	xml_free(root);
	cloud_err_release(&err);
	free(dns);
	free(ports);
	free(key);
	free(arn);
	free(name);
	return ret;
}

/* The ARNs listed by action (ELB) whose tags say icm:deployment = dep. */
static int elb_tagged(struct aws *a, const char *action, const char *member,
		      const char *arn_el, char ***arns, size_t *n)
{
	struct xml_node *root = NULL;
	const struct xml_node *it;
	struct cloud_err err = CLOUD_ERR_INIT;
	int ret = -1;

	*arns = NULL;
	*n = 0;
	if (aws_svc_call(&a->elb, action, NULL, &root, &err)) {
		error("%s failed: %s", action, err.msg);
		goto out;
	}
	for (it = xml_child(xml_path(root, member), "member"); it;
	     it = it->next) {
		const char *arn = xml_text(xml_child(it, arn_el));
		struct aws_params q;
		struct xml_node *tr = NULL;
		const struct xml_node *tag;
		bool ours = false;

		if (!arn)
			continue;
		aws_params_init(&q);
		aws_params_add(&q, "ResourceArns.member.1", arn);
		if (aws_svc_call(&a->elb, "DescribeTags", &q, &tr, &err)) {
			aws_params_release(&q);
			error("DescribeTags failed: %s", err.msg);
			goto out;
		}
		aws_params_release(&q);
		for (tag = xml_child(xml_path(tr, "DescribeTagsResult/"
					      "TagDescriptions/member/Tags"),
				     "member"); tag; tag = tag->next)
			if (xml_text(xml_child(tag, "Key")) &&
			    !strcmp(xml_text(xml_child(tag, "Key")),
				    "icm:deployment") &&
			    xml_text(xml_child(tag, "Value")) &&
			    !strcmp(xml_text(xml_child(tag, "Value")), a->dep))
				ours = true;
		xml_free(tr);
		if (ours) {
			*arns = xrealloc(*arns, (*n + 1) * sizeof(char *));
			(*arns)[(*n)++] = xstrdup(arn);
		}
	}
	ret = 0;
out:
	xml_free(root);
	cloud_err_release(&err);
	return ret;
}

int aws_sweep_elb(struct aws *a)
{
	static const struct {
		const char *list, *set, *arn, *del, *param, *what;
	} kinds[] = {
		{ "DescribeLoadBalancers",
		  "DescribeLoadBalancersResult/LoadBalancers",
		  "LoadBalancerArn", "DeleteLoadBalancer", "LoadBalancerArn",
		  "load balancer" },
		{ "DescribeTargetGroups",
		  "DescribeTargetGroupsResult/TargetGroups", "TargetGroupArn",
		  "DeleteTargetGroup", "TargetGroupArn", "target group" },
	};
	size_t k, i, n;
	char **arns;
	int ret = 0;

	for (k = 0; k < ARRAY_SIZE(kinds) && !ret; k++) {
		if (elb_tagged(a, kinds[k].list, kinds[k].set, kinds[k].arn,
			       &arns, &n))
			return -1;
		for (i = 0; i < n && !ret; i++) {
			struct aws_params q;
			struct cloud_err err = CLOUD_ERR_INIT;

			say("Deleting %s %s...", kinds[k].what, arns[i]);
			aws_params_init(&q);
			aws_params_add(&q, kinds[k].param, arns[i]);
			if (aws_svc_call(&a->elb, kinds[k].del, &q, NULL, &err) &&
			    err.cls != CLOUD_ERR_NOT_FOUND)
				ret = error("%s failed: %s", kinds[k].del,
					    err.msg);
			aws_params_release(&q);
			cloud_err_release(&err);
		}
		aws_free_ids(arns, n);
	}
	return ret;
}
