/*
 * awserr.c: reading EC2/ELB error answers and wording them (see awserr.h).
 *
 * The advice is one table: a code, its class (cloud/err.h: what a caller
 * may do about it, retry or count it as done), and what
 * a person should do, naming icm's own fields (Credentials, Region, Zone,
 * AMI, InstanceType, VPCId, SubnetIds ...) rather than AWS's parameters.
 */
#include "../../icm.h"
#include "../../util/buf.h"
#include "../../util/str.h"
#include "awserr.h"

#define CREDS "check the Credentials file named in defaults.json (its " \
	"profile, access key id and secret) or AWS_ACCESS_KEY_ID and " \
	"AWS_SECRET_ACCESS_KEY"
#define CLOCK "this machine's clock must be within 5 minutes of AWS's " \
	"(check it with `date -u`; enable NTP)"
#define QUOTA "raise the quota in the AWS console (Service Quotas) for " \
	"this Region, or ask for fewer"
#define THROTTLED "AWS is throttling requests; icm retries with backoff, " \
	"so this shows only when it kept happening: run again later or " \
	"with a smaller -parallel"
#define TRANSIENT "AWS failed on its side; icm retries these, so run " \
	"again in a few minutes"

static const struct {
	const char *code;
	enum cloud_err_class cls;
	const char *advice;
} advice[] = {
	/* Credentials and signing. */
	{ "AuthFailure", CLOUD_ERR_AUTH, CREDS },
	{ "InvalidClientTokenId", CLOUD_ERR_AUTH,
	  "AWS does not know this access key id: " CREDS },
	{ "UnrecognizedClientException", CLOUD_ERR_AUTH,
	  "AWS does not know this access key id: " CREDS },
	{ "SignatureDoesNotMatch", CLOUD_ERR_AUTH,
	  "the secret access key does not match the key id (" CREDS
	  "); if they are right, " CLOCK },
	{ "IncompleteSignature", CLOUD_ERR_AUTH, CREDS },
	{ "MissingAuthenticationToken", CLOUD_ERR_AUTH,
	  "the request was not signed: " CREDS },
	{ "RequestExpired", CLOUD_ERR_AUTH, CLOCK },
	{ "RequestTimeTooSkewed", CLOUD_ERR_AUTH, CLOCK },
	{ "ExpiredToken", CLOUD_ERR_AUTH,
	  "the session token has expired: get new temporary credentials "
	  "and update the Credentials file (aws_session_token)" },
	{ "InvalidToken", CLOUD_ERR_AUTH,
	  "the session token is not valid: update aws_session_token in the "
	  "Credentials file, or remove it for long-term keys" },
	{ "OptInRequired", CLOUD_ERR_AUTH,
	  "the account is not subscribed to this service or Region: enable "
	  "the Region (opt-in Regions) or finish the account's sign-up, or "
	  "accept the AMI's Marketplace terms" },
	{ "PendingVerification", CLOUD_ERR_AUTH,
	  "the account is still being verified by AWS; try again once it is "
	  "activated" },
	{ "Blocked", CLOUD_ERR_AUTH,
	  "the account is blocked: contact AWS Support" },
	/* Permissions. */
	{ "UnauthorizedOperation", CLOUD_ERR_AUTH,
	  "the IAM user or role of these credentials may not call this EC2 "
	  "action: grant its permission (ec2:ActionName) in IAM; `aws sts "
	  "decode-authorization-message` decodes an encoded reason" },
	{ "AccessDenied", CLOUD_ERR_AUTH,
	  "the IAM user or role of these credentials lacks the permission "
	  "for this action; grant it in IAM" },
	{ "AccessDeniedException", CLOUD_ERR_AUTH,
	  "the IAM user or role of these credentials lacks the permission "
	  "for this action; grant it in IAM" },
	/* Images, types, zones. */
	{ "InvalidAMIID.NotFound", CLOUD_ERR_INVALID,
	  "check the AMI field: an AMI exists in one Region only, so use the "
	  "image id of this Region (and one the account may launch)" },
	{ "InvalidAMIID.Malformed", CLOUD_ERR_INVALID,
	  "check the AMI field: an image id looks like ami-0123456789abcdef0" },
	{ "InvalidAMIID.Unavailable", CLOUD_ERR_INVALID,
	  "the AMI is being deregistered or is not ready: choose another AMI" },
	{ "InvalidInstanceType", CLOUD_ERR_INVALID,
	  "check the InstanceType field: the type does not exist here or does "
	  "not fit the AMI's architecture or virtualisation" },
	{ "Unsupported", CLOUD_ERR_INVALID,
	  "this Zone or Region does not offer the requested InstanceType or "
	  "option: choose another InstanceType or Zone" },
	{ "InvalidZone.NotFound", CLOUD_ERR_INVALID,
	  "check the Zone field: zones are named after their Region "
	  "(us-east-1a) and must belong to the Region field" },
	{ "InvalidAvailabilityZone", CLOUD_ERR_INVALID,
	  "check the Zone field: zones are named after their Region "
	  "(us-east-1a) and must belong to the Region field" },
	{ "InsufficientInstanceCapacity", CLOUD_ERR_INVALID,
	  "AWS has no capacity for this InstanceType in this Zone right now: "
	  "try another Zone or InstanceType, or later" },
	{ "InsufficientAddressCapacity", CLOUD_ERR_INVALID,
	  "AWS has no public addresses to spare in this Zone: try another "
	  "Zone or later" },
	/* Quotas. */
	{ "InstanceLimitExceeded", CLOUD_ERR_INVALID,
	  "the account's instance quota is reached: " QUOTA },
	{ "VcpuLimitExceeded", CLOUD_ERR_INVALID,
	  "the account's vCPU quota for this instance family is reached: "
	  QUOTA },
	{ "VolumeLimitExceeded", CLOUD_ERR_INVALID,
	  "the account's EBS storage or volume quota is reached: " QUOTA },
	{ "AddressLimitExceeded", CLOUD_ERR_INVALID,
	  "the account's Elastic IP quota is reached (5 per Region by "
	  "default): release unused addresses, set ElasticIP false, or "
	  "raise the quota" },
	{ "VpcLimitExceeded", CLOUD_ERR_INVALID,
	  "the account's VPC quota is reached (5 per Region by default): "
	  "delete unused VPCs, reuse one with VPCId, or raise the quota" },
	{ "SubnetLimitExceeded", CLOUD_ERR_INVALID,
	  "the VPC's subnet quota is reached: " QUOTA },
	{ "InternetGatewayLimitExceeded", CLOUD_ERR_INVALID,
	  "the account's internet gateway quota is reached: reuse one with "
	  "InternetGatewayId, or " QUOTA },
	{ "SecurityGroupLimitExceeded", CLOUD_ERR_INVALID,
	  "the security group quota is reached: " QUOTA },
	{ "RulesPerSecurityGroupLimitExceeded", CLOUD_ERR_INVALID,
	  "a security group has too many rules: " QUOTA },
	{ "RouteLimitExceeded", CLOUD_ERR_INVALID,
	  "the route table has too many routes: " QUOTA },
	{ "TooManyLoadBalancers", CLOUD_ERR_INVALID,
	  "the account's load balancer quota is reached: " QUOTA },
	{ "MaxSpotInstanceCountExceeded", CLOUD_ERR_INVALID,
	  "the account's Spot instance quota is reached: " QUOTA },
	/* Networks. */
	{ "InvalidVpcID.NotFound", CLOUD_ERR_NOT_FOUND,
	  "check the VPCId field: the VPC does not exist in this Region" },
	{ "InvalidSubnetID.NotFound", CLOUD_ERR_NOT_FOUND,
	  "check the SubnetIds field: each subnet must exist in this Region "
	  "and belong to the VPC" },
	{ "InvalidRouteTableID.NotFound", CLOUD_ERR_NOT_FOUND,
	  "check the RouteTableId field: the route table does not exist in "
	  "this Region" },
	{ "InvalidInternetGatewayID.NotFound", CLOUD_ERR_NOT_FOUND,
	  "check the InternetGatewayId field: the gateway does not exist in "
	  "this Region" },
	{ "InvalidSubnet.Conflict", CLOUD_ERR_INVALID,
	  "the subnet's address range overlaps another subnet of the VPC: "
	  "choose non-overlapping ranges or reuse the subnet with SubnetIds" },
	{ "InvalidSubnet.Range", CLOUD_ERR_INVALID,
	  "the subnet's address range is not inside the VPC's range" },
	{ "InvalidVpc.Range", CLOUD_ERR_INVALID,
	  "the VPC's address range must be between /16 and /28" },
	{ "DependencyViolation", CLOUD_ERR_OTHER,
	  "something still uses this resource (instances, network "
	  "interfaces, load balancers or addresses in the VPC, a security "
	  "group referenced by another): unprovision them first, or delete "
	  "what was made outside icm" },
	{ "Gateway.NotAttached", CLOUD_ERR_NOT_FOUND,
	  "the internet gateway is not attached to this VPC" },
	{ "Resource.AlreadyAssociated", CLOUD_ERR_EXISTS,
	  "the address or route table is already associated elsewhere" },
	/* Names and duplicates. */
	{ "InvalidKeyPair.Duplicate", CLOUD_ERR_EXISTS,
	  "a key pair with this name exists already with another key: "
	  "delete it in EC2, or choose another Label or Tag" },
	{ "InvalidKeyPair.Format", CLOUD_ERR_INVALID,
	  "check the SSHPublicKey field: EC2 imports OpenSSH RSA or Ed25519 "
	  "public keys" },
	{ "InvalidGroup.Duplicate", CLOUD_ERR_EXISTS,
	  "a security group with this name exists already in the VPC "
	  "(perhaps from another deployment with the same Label and Tag): "
	  "delete it or choose another Label or Tag" },
	{ "InvalidPermission.Duplicate", CLOUD_ERR_EXISTS,
	  "the security group has this rule already" },
	{ "InvalidPlacementGroup.Duplicate", CLOUD_ERR_EXISTS,
	  "a placement group with this name exists already: delete it or "
	  "choose another Label or Tag" },
	{ "DuplicateLoadBalancerName", CLOUD_ERR_EXISTS,
	  "a load balancer with this name exists already: delete it or "
	  "choose another Label or Tag" },
	{ "IdempotentParameterMismatch", CLOUD_ERR_INVALID,
	  "a request with this client token was made before with other "
	  "parameters: the state directory does not match the definitions "
	  "it was made from (restore it, or unprovision and provision "
	  "again)" },
	/* Requests. */
	{ "InvalidParameterValue", CLOUD_ERR_INVALID,
	  "a value in the definitions is not valid for this field; AWS's "
	  "message names it" },
	{ "InvalidParameterCombination", CLOUD_ERR_INVALID,
	  "two settings in the definitions cannot be used together; AWS's "
	  "message names them (for example OSVolumeType and IOPS)" },
	{ "InvalidBlockDeviceMapping", CLOUD_ERR_INVALID,
	  "check the volume fields (sizes, types, IOPS and device names) of "
	  "the definitions" },
	{ "VolumeTypeNotAvailableInZone", CLOUD_ERR_INVALID,
	  "this Zone does not offer the volume type: choose another type or "
	  "Zone" },
	{ "IncorrectInstanceState", CLOUD_ERR_OTHER,
	  "the instance is not in a state that allows this (it may be "
	  "stopping or terminated); look at it in EC2 and run again" },
	{ "IncorrectState", CLOUD_ERR_OTHER,
	  "the resource is not in a state that allows this yet; run again" },
	{ "MissingParameter", CLOUD_ERR_INVALID,
	  "a required value is missing from the request; AWS's message "
	  "names it (a field of the definitions left empty?)" },
	{ "InvalidAction", CLOUD_ERR_INVALID,
	  "the endpoint does not know this action: check AWS_ENDPOINT_URL "
	  "and the endpoint variables of the service" },
	{ "ValidationError", CLOUD_ERR_INVALID,
	  "a value in the definitions is not valid for this field; AWS's "
	  "message names it" },
	{ "InvalidPlacementGroup.Unknown", CLOUD_ERR_NOT_FOUND,
	  "the placement group does not exist (yet): it is made before the "
	  "instances; run again" },
	/* Load balancers (ELB and ELBv2). */
	{ "LoadBalancerNotFound", CLOUD_ERR_NOT_FOUND,
	  "the load balancer does not exist (deleted outside icm, or not yet "
	  "visible just after its creation); run again" },
	{ "TargetGroupNotFound", CLOUD_ERR_NOT_FOUND,
	  "the target group does not exist (deleted outside icm, or not yet "
	  "visible just after its creation); run again" },
	{ "DuplicateTargetGroupName", CLOUD_ERR_EXISTS,
	  "a target group with this name exists already: delete it or "
	  "choose another Label or Tag" },
	{ "TooManyTargetGroups", CLOUD_ERR_INVALID,
	  "the account's target group quota is reached: " QUOTA },
	{ "TooManyTargets", CLOUD_ERR_INVALID,
	  "the load balancer's target quota is reached: " QUOTA },
	{ "InvalidConfigurationRequest", CLOUD_ERR_INVALID,
	  "the load balancer cannot be set up this way (subnets in the same "
	  "zone, a security group of another VPC, ...); AWS's message says "
	  "what" },
	/* Throttling and AWS-side failures: retried by icm. */
	{ "RequestLimitExceeded", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "Throttling", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "ThrottlingException", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "RequestThrottled", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "RequestThrottledException", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "TooManyRequestsException", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "EC2ThrottledException", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "PriorRequestNotComplete", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "BandwidthLimitExceeded", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "SlowDown", CLOUD_ERR_THROTTLED, THROTTLED },
	{ "InternalError", CLOUD_ERR_TRANSIENT, TRANSIENT },
	{ "InternalFailure", CLOUD_ERR_TRANSIENT, TRANSIENT },
	{ "ServiceUnavailable", CLOUD_ERR_TRANSIENT, TRANSIENT },
	{ "Unavailable", CLOUD_ERR_TRANSIENT, TRANSIENT },
	{ "RequestTimeout", CLOUD_ERR_TRANSIENT, TRANSIENT },
	{ "RequestTimeoutException", CLOUD_ERR_TRANSIENT, TRANSIENT },
};

static int find(const char *code)
{
	size_t i;

	if (!code)
		return -1;
	for (i = 0; i < ARRAY_SIZE(advice); i++)
		if (!strcmp(advice[i].code, code))
			return (int)i;
	return -1;
}

enum cloud_err_class aws_error_class(const char *code)
{
	int i = find(code);

	if (i >= 0)
		return advice[i].cls;
	if (!code)
		return CLOUD_ERR_OTHER;
	if (str_ends(code, "NotFound"))		/* *.NotFound, ELB's too */
		return CLOUD_ERR_NOT_FOUND;
	if (str_ends(code, ".Duplicate") || strstr(code, "AlreadyExists") ||
	    str_starts(code, "Duplicate"))
		return CLOUD_ERR_EXISTS;	/* RouteAlreadyExists, ... */
	if (str_starts(code, "Invalid") || str_ends(code, "LimitExceeded"))
		return CLOUD_ERR_INVALID;
	return CLOUD_ERR_OTHER;
}

char *aws_error_message(const char *code, const char *message)
{
	const char *adv = NULL;
	size_t mlen;
	int i;

	if (!code || !*code)
		code = "UnknownError";
	if (!message)
		message = "";
	mlen = strlen(message);
	while (mlen > 0 && (message[mlen - 1] == '.' ||
			    strchr(" \t\r\n", message[mlen - 1])))
		mlen--;
	i = find(code);
	if (i >= 0)
		adv = advice[i].advice;
	else if (str_ends(code, ".NotFound"))
		adv = "a resource icm expected is not there: it may have been "
		      "deleted outside icm (run again to recreate or adopt "
		      "what is left)";
	else if (str_ends(code, ".Malformed"))
		adv = "an id in the definitions or the state directory is not "
		      "well formed; AWS's message names it";
	if (mlen == 0)
		return adv ? xasprintf("%s: %s", code, adv) : xstrdup(code);
	return adv ? xasprintf("%s: %.*s: %s", code, (int)mlen, message, adv) :
		     xasprintf("%s: %.*s", code, (int)mlen, message);
}

/* The text of n without surrounding whitespace, allocated; NULL if n is. */
static char *trimmed(const struct xml_node *n)
{
	const char *s = xml_text(n);
	size_t len;

	if (!s)
		return NULL;
	s += strspn(s, " \t\r\n");
	len = strlen(s);
	while (len > 0 && strchr(" \t\r\n", s[len - 1]))
		len--;
	return xstrndup(s, len);
}

int aws_error_parse(const struct xml_node *root, char **code,
		    char **message)
{
	const struct xml_node *e = NULL, *m;
	char *c;

	*code = NULL;
	*message = NULL;
	if (!root)
		return -1;
	if (!strcmp(root->name, "Error"))
		e = root;
	if (!e)
		e = xml_path(root, "Errors/Error");
	if (!e)
		e = xml_child(root, "Error");
	c = trimmed(xml_child(e, "Code"));
	if (!c || !*c) {
		free(c);
		return -1;
	}
	m = xml_child(e, "Message");
	if (!m)
		m = xml_child(e, "message");
	*code = c;
	*message = m ? trimmed(m) : xstrdup("");
	return 0;
}
