/* t-awserr.c: EC2/ELB error answers read (provider/aws/awserr) and worded. */
#include "icm.h"
#include "provider/aws/awserr.h"
#include "cloud/xml.h"
#include "tap.h"

/* Parses xml and reads its error; code and message NULL when none. */
static int parse_error(const char *xml, char **code, char **message)
{
	struct xml_node *root = NULL;
	char *err = NULL;
	int r = -1;

	*code = *message = NULL;
	if (xml_parse(xml, strlen(xml), &root, &err)) {
		printf("# xml: %s\n", err);
		goto out;
	}
	r = aws_error_parse(root, code, message);
out:
	free(err);
	xml_free(root);
	return r;
}

static void check_parse(const char *xml, const char *want_code,
			const char *want_msg, const char *name)
{
	char *code, *message;
	int r = parse_error(xml, &code, &message);

	ok(r == 0, "%s: error found", name);
	is_str(code, want_code, name);
	is_str(message, want_msg, name);
	free(code);
	free(message);
}

#define WANTS 5	/* phrases checked per message at most */

/* aws_error_message(code, message) contains each of the wants (up to
 * WANTS, or the first NULL). */
static void check_msg(const char *code, const char *message,
		      const char *const *wants, const char *name)
{
	char *s = aws_error_message(code, message);
	bool all = s != NULL;
	size_t i;

	for (i = 0; all && i < WANTS && wants[i]; i++)
		if (!strstr(s, wants[i])) {
			printf("#   missing: '%s'\n", wants[i]);
			all = false;
		}
	if (!ok(all, "message for %s", name))
		printf("#   got: %s\n", s ? s : "(null)");
	free(s);
}

static void test_parse(void)
{
	char *code, *message;

	check_parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<Response><Errors><Error>"
		    "<Code>InvalidAMIID.NotFound</Code>"
		    "<Message>The image id '[ami-12345678]' does not exist"
		    "</Message></Error></Errors>"
		    "<RequestID>0d0b6a1c-1111-2222-3333-444455556666"
		    "</RequestID></Response>",
		    "InvalidAMIID.NotFound",
		    "The image id '[ami-12345678]' does not exist",
		    "EC2 Response/Errors/Error");
	check_parse("<ErrorResponse xmlns=\"http://elasticloadbalancing."
		    "amazonaws.com/doc/2015-12-01/\">\n"
		    "  <Error>\n    <Type>Sender</Type>\n"
		    "    <Code>\n      LoadBalancerNotFound\n    </Code>\n"
		    "    <Message>One or more load balancers not found"
		    "</Message>\n  </Error>\n"
		    "  <RequestId>abc</RequestId>\n</ErrorResponse>\n",
		    "LoadBalancerNotFound",
		    "One or more load balancers not found",
		    "ELB ErrorResponse/Error (whitespace trimmed)");
	check_parse("<Error><Code>AccessDenied</Code>"
		    "<Message>Access Denied</Message></Error>",
		    "AccessDenied", "Access Denied", "root <Error>");
	check_parse("<Response><Errors><Error><Code>Unavailable</Code>"
		    "</Error></Errors></Response>",
		    "Unavailable", "", "no Message gives \"\"");
	check_parse("<Response><Errors>"
		    "<Error><Code>First</Code><Message>1</Message></Error>"
		    "<Error><Code>Second</Code><Message>2</Message></Error>"
		    "</Errors></Response>", "First", "1", "first of several");
	check_parse("<ErrorResponse><Error><Code>X</Code>"
		    "<message>lower</message></Error></ErrorResponse>",
		    "X", "lower", "lower-case <message>");

	ok(parse_error("<DescribeVpcsResponse><vpcSet/>"
		       "</DescribeVpcsResponse>", &code, &message) == -1 &&
	   !code && !message, "a normal answer has no error");
	ok(parse_error("<Response><Errors><Error><Code> </Code></Error>"
		       "</Errors></Response>", &code, &message) == -1 &&
	   !code && !message, "an empty Code is no error");
	ok(aws_error_parse(NULL, &code, &message) == -1 && !code,
	   "NULL tree");
}

/* Codes, AWS's message, what the worded message must contain, the case. */
static const struct {
	const char *code, *message, *wants[WANTS], *name;
} messages[] = {
	{ "AuthFailure",
	  "AWS was not able to validate the provided access credentials",
	  { "AuthFailure: AWS was not able to validate the provided "
	    "access credentials: ",
	    "Credentials file",
	    "AWS_ACCESS_KEY_ID" },
	  "AuthFailure" },
	{ "InvalidClientTokenId",
	  "The security token included in the request is invalid.",
	  { "InvalidClientTokenId: The security token included in the "
	    "request is invalid: ",
	    "Credentials" },
	  "InvalidClientTokenId (final '.' trimmed)" },
	{ "SignatureDoesNotMatch",
	  "The request signature we calculated does not match",
	  { "SignatureDoesNotMatch: The request signature",
	    "Credentials",
	    "clock",
	    "date -u" },
	  "SignatureDoesNotMatch: credentials and clock" },
	{ "RequestExpired",
	  "Request has expired.",
	  { "RequestExpired: Request has expired: ", "clock", "5 minutes" },
	  "RequestExpired: clock skew" },
	{ "UnauthorizedOperation",
	  "You are not authorized to perform this operation. Encoded "
	  "authorization failure message: abc",
	  { "UnauthorizedOperation: You are not authorized",
	    "Encoded authorization failure message: abc",
	    "IAM",
	    "decode-authorization-message" },
	  "UnauthorizedOperation: IAM permission" },
	{ "InvalidAMIID.NotFound",
	  "The image id '[ami-1]' does not exist",
	  { "'[ami-1]'", "AMI field", "Region" },
	  "InvalidAMIID.NotFound" },
	{ "InvalidAMIID.Malformed",
	  "Invalid id: \"x\"",
	  { "Invalid id: \"x\"", "AMI field", "ami-" },
	  "InvalidAMIID.Malformed" },
	{ "InvalidKeyPair.Duplicate",
	  "The keypair 'k' already exists.",
	  { "'k'", "key pair", "Label or Tag" },
	  "InvalidKeyPair.Duplicate" },
	{ "InstanceLimitExceeded",
	  "Your quota allows for 0 more running instance(s)",
	  { "0 more", "quota", "Service Quotas" },
	  "InstanceLimitExceeded" },
	{ "VcpuLimitExceeded",
	  "You have requested more vCPU capacity",
	  { "vCPU capacity", "quota" },
	  "VcpuLimitExceeded" },
	{ "InsufficientInstanceCapacity",
	  "We currently do not have sufficient m5.large capacity",
	  { "m5.large", "Zone", "InstanceType" },
	  "InsufficientInstanceCapacity" },
	{ "InvalidParameterValue",
	  "Value (x) for parameter cidrBlock is invalid",
	  { "cidrBlock", "not valid" },
	  "InvalidParameterValue" },
	{ "InvalidSubnetID.NotFound",
	  "The subnet ID 'subnet-1' does not exist",
	  { "'subnet-1'", "SubnetIds" },
	  "InvalidSubnetID.NotFound" },
	{ "InvalidVpcID.NotFound",
	  "The vpc ID 'vpc-1' does not exist",
	  { "'vpc-1'", "VPCId" },
	  "InvalidVpcID.NotFound" },
	{ "DependencyViolation",
	  "The vpc 'vpc-1' has dependencies and cannot be deleted.",
	  { "has dependencies and cannot be deleted: ",
	    "still uses",
	    "network interfaces" },
	  "DependencyViolation" },
	{ "RequestLimitExceeded",
	  "Request limit exceeded.",
	  { "throttling", "retries" },
	  "RequestLimitExceeded" },
	{ "OptInRequired",
	  "You are not subscribed to this service",
	  { "not subscribed", "Region", "Marketplace" },
	  "OptInRequired" },
	{ "InvalidZone.NotFound",
	  "The zone 'us-east-1q' does not exist",
	  { "'us-east-1q'", "Zone field", "Region field" },
	  "InvalidZone.NotFound" },
	{ "InvalidInstanceType",
	  "The instance type 'm9.huge' does not exist",
	  { "'m9.huge'", "InstanceType field" },
	  "InvalidInstanceType" },
	{ "Unsupported",
	  "The requested configuration is currently not supported",
	  { "not supported", "another" },
	  "Unsupported" },
	{ "VolumeLimitExceeded",
	  "You have exceeded your maximum gp3 storage limit",
	  { "gp3", "EBS", "quota" },
	  "VolumeLimitExceeded" },
	{ "AddressLimitExceeded",
	  "The maximum number of addresses has been reached.",
	  { "has been reached: ", "Elastic IP", "ElasticIP" },
	  "AddressLimitExceeded" },
	{ "InvalidGroup.Duplicate",
	  "The security group 'sg' already exists",
	  { "'sg'", "security group", "Label" },
	  "InvalidGroup.Duplicate" },
	{ "ValidationError",
	  "1 validation error detected: Value 'x' at 'loadBalancerName'",
	  { "ValidationError: 1 validation error detected", "not valid" },
	  "ELB ValidationError" },
	{ "InvalidConfigurationRequest",
	  "A load balancer cannot be attached to multiple subnets in the "
	  "same Availability Zone",
	  { "same Availability Zone", "cannot be set up" },
	  "ELB InvalidConfigurationRequest" },
	{ "IdempotentParameterMismatch",
	  "x",
	  { "client token", "state directory" },
	  "IdempotentParameterMismatch" },
	{ "InvalidNetworkInterfaceID.NotFound",
	  "The networkInterface ID 'eni-1' does not exist",
	  { "'eni-1'", "deleted outside icm" },
	  "other *.NotFound codes" },
	{ "InvalidVolumeID.Malformed",
	  "Invalid id: \"vol\"",
	  { "not well formed" },
	  "other *.Malformed codes" },
};

static void test_messages(void)
{
	char *s;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(messages); i++)
		check_msg(messages[i].code, messages[i].message,
			  messages[i].wants, messages[i].name);

	s = aws_error_message("SomethingNew", "Brand new failure.  ");
	is_str(s, "SomethingNew: Brand new failure",
	       "unknown code: \"<Code>: <Message>\"");
	free(s);
	s = aws_error_message("SomethingNew", "");
	is_str(s, "SomethingNew", "unknown code, no message");
	free(s);
	s = aws_error_message(NULL, NULL);
	is_str(s, "UnknownError", "NULL code and message");
	free(s);
}

static void test_classes(void)
{
	is_int(aws_error_class("RequestLimitExceeded"), CLOUD_ERR_THROTTLED,
	       "EC2 throttling");
	is_int(aws_error_class("Throttling"), CLOUD_ERR_THROTTLED,
	       "ELB throttling");
	is_int(aws_error_class("InternalError"), CLOUD_ERR_TRANSIENT,
	       "InternalError is transient");
	is_int(aws_error_class("Unavailable"), CLOUD_ERR_TRANSIENT,
	       "Unavailable is transient");
	is_int(aws_error_class("InvalidInstanceID.NotFound"),
	       CLOUD_ERR_NOT_FOUND, "*.NotFound");
	is_int(aws_error_class("InvalidVpcID.NotFound"), CLOUD_ERR_NOT_FOUND,
	       "table entry keeps NotFound class");
	is_int(aws_error_class("LoadBalancerNotFound"), CLOUD_ERR_NOT_FOUND,
	       "ELB's not-found codes too");
	is_int(aws_error_class("InvalidPlacementGroup.Unknown"),
	       CLOUD_ERR_NOT_FOUND, "placement group not yet visible");
	is_int(aws_error_class("AuthFailure"), CLOUD_ERR_AUTH,
	       "credentials are not retried: auth");
	is_int(aws_error_class("UnauthorizedOperation"), CLOUD_ERR_AUTH,
	       "a missing IAM permission: auth");
	is_int(aws_error_class("RequestTimeTooSkewed"), CLOUD_ERR_AUTH,
	       "clock skew: auth");
	is_int(aws_error_class("InvalidPermission.Duplicate"),
	       CLOUD_ERR_EXISTS, "a rule there already: exists");
	is_int(aws_error_class("RouteAlreadyExists"), CLOUD_ERR_EXISTS,
	       "a route there already (not in the table): exists");
	is_int(aws_error_class("Resource.AlreadyAssociated"),
	       CLOUD_ERR_EXISTS, "attached or associated already: exists");
	is_int(aws_error_class("InvalidGroup.Duplicate"), CLOUD_ERR_EXISTS,
	       "a group by that name: exists");
	is_int(aws_error_class("Gateway.NotAttached"), CLOUD_ERR_NOT_FOUND,
	       "a detach of what is not attached: not found");
	is_int(aws_error_class("InvalidAMIID.NotFound"), CLOUD_ERR_INVALID,
	       "a wrong AMI is the configuration's, not a gone resource");
	is_int(aws_error_class("InvalidParameterValue"), CLOUD_ERR_INVALID,
	       "a refused value: invalid");
	is_int(aws_error_class("InvalidSomethingNew"), CLOUD_ERR_INVALID,
	       "an unknown Invalid* code: invalid");
	is_int(aws_error_class("VcpuLimitExceeded"), CLOUD_ERR_INVALID,
	       "a quota: invalid");
	is_int(aws_error_class("DependencyViolation"), CLOUD_ERR_OTHER,
	       "a dependency: other");
	is_int(aws_error_class("SomethingNew"), CLOUD_ERR_OTHER,
	       "an unknown code: other");
	is_int(aws_error_class(NULL), CLOUD_ERR_OTHER, "NULL");
}

int main(void)
{
	test_parse();
	test_messages();
	test_classes();
	return done_testing();
}
