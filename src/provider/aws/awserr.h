/*
 * awserr.h: EC2 and ELB error answers, read and turned into messages a
 * person can act on.
 *
 * EC2 answers an error as
 *	<Response><Errors><Error><Code>C</Code><Message>M</Message>...
 * ELB (and IAM, STS) as
 *	<ErrorResponse><Error><Type>Sender</Type><Code>C</Code>...
 * aws_error_parse() reads either; aws_error_message() words the result;
 * aws_error_class() tells a caller what kind of failure it was.
 */
#ifndef ICM_PROVIDER_AWS_AWSERR_H
#define ICM_PROVIDER_AWS_AWSERR_H

#include "../../icm.h"
#include "../../cloud/err.h"
#include "../../cloud/xml.h"

/*
 * Finds the first error in an answer's tree: root/Errors/Error,
 * root/Error, or a root that is itself <Error>.  Returns 0 and sets *code
 * and *message (allocated, the caller frees; *message is "" when AWS sent
 * none), or -1 when root holds no error with a Code (both set to NULL).
 */
int aws_error_parse(const struct xml_node *root, char **code,
		    char **message) WARN_UNUSED;

/*
 * One line for the user (allocated; the caller frees):
 *	"<Code>: <Message>: <what to do>"
 * for codes icm knows (credentials, clock skew, IAM permissions, quotas,
 * AMI and region, capacity, dependencies, throttling, ...), and
 *	"<Code>: <Message>"
 * for others.  AWS's own code and message are always kept, as sent
 * (trailing whitespace and a final '.' trimmed).  NULL arguments are read
 * as "UnknownError" and "".
 */
char *aws_error_message(const char *code, const char *message);

/*
 * The class of an error code (cloud/err.h), so callers branch on it, never
 * on the code's words: throttled and transient ones are retried by
 * ec2_call(); "*NotFound" (gone, or just after a create not yet visible:
 * EC2 is eventually consistent) and Gateway.NotAttached are NOT_FOUND;
 * "*.Duplicate", "*AlreadyExists*", Resource.AlreadyAssociated are EXISTS
 * (a step already done); credentials, clock and permissions are AUTH;
 * other "Invalid*", quotas and capacity are INVALID.  NULL is OTHER.
 */
enum cloud_err_class aws_error_class(const char *code);

#endif
