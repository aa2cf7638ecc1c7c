/* t-soap.c: the SOAP client's pieces that need no server (cloud/soap):
 * templates with every value escaped, xsi:type under any declared prefix,
 * and vim25 faults (as vcsim and vCenter write them) turned into classes
 * and messages. */
#include "icm.h"
#include "cloud/soap.h"
#include "util/buf.h"
#include "util/str.h"
#include "tap.h"

static char *built(const char *what, int r, struct buf *b)
{
	ok(r == 0, "%s: built", what);
	return xstrndup(b->data ? b->data : "", b->len);
}

static void templates(void)
{
	struct buf b;
	char *s;

	buf_init(&b, 1 << 16);
	s = built("escaped values", soap_addf(&b, "<name>%s</name><n>%d</n>"
					       "<u>%u</u><l>%lld</l>%%",
					       "a<b>&\"c'\x01", -3, 7u,
					       12345678901LL), &b);
	is_str(s, "<name>a&lt;b&gt;&amp;&quot;c&apos;&#1;</name><n>-3</n>"
	       "<u>7</u><l>12345678901</l>%", "every value escaped");
	free(s);
	buf_release(&b);

	buf_init(&b, 1 << 16);
	s = built("a raw fragment", soap_addf(&b, "<spec>%r</spec>",
					      "<a x=\"1\">v</a>"), &b);
	is_str(s, "<spec><a x=\"1\">v</a></spec>", "%%r kept as is");
	free(s);
	buf_release(&b);

	buf_init(&b, 1 << 16);
	ok(soap_addf(&b, "<a>%s</a>", (const char *)NULL) == -1,
	   "a NULL value is refused");
	ok(soap_addf(&b, "<a>%x</a>", 1) == -1, "an unknown conversion is "
	   "refused");
	buf_release(&b);

	buf_init(&b, 16);
	ok(soap_addf(&b, "<a>%s</a>", "0123456789abcdefghij") == -1,
	   "the buffer's cap is an error");
	buf_release(&b);
}

/* A fault answer as vcsim writes one: the type attribute under a prefix
 * that is not "xsi". */
static const char vcsim_fault[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/"
	"envelope/\" xmlns:XMLSchema-instance=\"http://www.w3.org/2001/"
	"XMLSchema-instance\"><soapenv:Body><soapenv:Fault><faultcode>"
	"ServerFaultCode</faultcode><faultstring>The object 'vim.Virtual"
	"Machine:vm-42' has already been deleted or has not been completely "
	"created</faultstring><detail><ManagedObjectNotFoundFault xmlns="
	"\"urn:vim25\" XMLSchema-instance:type=\"ManagedObjectNotFound\"><obj "
	"type=\"VirtualMachine\">vm-42</obj></ManagedObjectNotFoundFault>"
	"</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>";

static void types_and_faults(void)
{
	struct xml_node *root = NULL;
	const struct xml_node *d;
	struct cloud_err err = CLOUD_ERR_INIT;
	char *why = NULL;

	ok(xml_parse(vcsim_fault, strlen(vcsim_fault), &root, &why) == 0,
	   "vcsim's fault parses");
	d = xml_path(root, "Body/Fault/detail/ManagedObjectNotFoundFault");
	is_str(soap_type(d), "ManagedObjectNotFound",
	       "xsi:type found under the prefix XMLSchema-instance");
	is_str(soap_type(xml_child(d, "obj")), NULL, "a plain type attribute "
	       "(no namespace) is not xsi:type");
	soap_fault(soap_type(d), xml_text(xml_path(root, "Body/Fault/"
						    "faultstring")), d, &err);
	is_int(err.cls, CLOUD_ERR_NOT_FOUND, "ManagedObjectNotFound: not found");
	ok(err.msg && strstr(err.msg, "(vm-42)"), "... naming the object");
	xml_free(root);

	soap_fault("InvalidLogin", "Cannot complete login due to an incorrect "
		   "user name or password.", NULL, &err);
	is_int(err.cls, CLOUD_ERR_AUTH, "InvalidLogin: credentials");
	ok(err.msg && strstr(err.msg, "(VSphereUser, VSpherePassword)"),
	   "... naming the fields");
	soap_fault("NotAuthenticated", NULL, NULL, &err);
	is_int(err.cls, CLOUD_ERR_AUTH, "NotAuthenticated: credentials");
	soap_fault("DuplicateName", "The name 'x' already exists.", NULL,
		   &err);
	is_int(err.cls, CLOUD_ERR_EXISTS, "DuplicateName: exists");
	soap_fault("NoDiskSpace", "", NULL, &err);
	is_int(err.cls, CLOUD_ERR_INVALID, "NoDiskSpace: invalid");
	ok(err.msg && strstr(err.msg, "datastore is full"), "... says so");
	soap_fault("NicSettingMismatch", "", NULL, &err);
	ok(err.msg && strstr(err.msg, "network adapters"),
	   "NicSettingMismatch explained");
	soap_fault("InvalidPowerState", "", NULL, &err);
	ok(err.msg && strstr(err.msg, "power state"),
	   "InvalidPowerState explained");
	soap_fault("InsufficientMemoryResourcesFault", "x", NULL, &err);
	ok(err.cls == CLOUD_ERR_INVALID && strstr(err.msg, "Memory"),
	   "insufficient memory names the field");
	soap_fault("SomethingNew", "the server's words", NULL, &err);
	is_str(err.msg, "SomethingNew: the server's words",
	       "an unknown fault keeps the server's words");
	is_int(err.cls, CLOUD_ERR_OTHER, "... class other");
	cloud_err_release(&err);
	free(why);
}

/* A task's info.error (LocalizedMethodFault) with the usual xsi prefix. */
static const char task_error[] =
	"<error xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
	"<fault xsi:type=\"vim25:InvalidPowerState\" xmlns:vim25=\"urn:vim25\">"
	"<requestedState>poweredOn</requestedState></fault>"
	"<localizedMessage>The attempted operation cannot be performed in the "
	"current state (Powered off).</localizedMessage></error>";

static void method_fault(void)
{
	struct xml_node *root = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;
	char *why = NULL;

	ok(xml_parse(task_error, strlen(task_error), &root, &why) == 0,
	   "a task error parses");
	soap_method_fault(root, &err);
	ok(err.msg && !strncmp(err.msg, "InvalidPowerState: The attempted",
			       32), "type (prefix dropped) and message");
	xml_free(root);
	cloud_err_release(&err);
	free(why);
}

static void answers(void)
{
	static const char ok_answer[] =
		"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/"
		"soap/envelope/\"><soapenv:Body><LoginResponse xmlns=\"urn:"
		"vim25\"><returnval><key>s1</key></returnval></LoginResponse>"
		"</soapenv:Body></soapenv:Envelope>";
	static const char empty[] =
		"<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/"
		"soap/envelope/\"><soapenv:Body/></soapenv:Envelope>";
	struct xml_node *root = NULL;
	const struct xml_node *ret = NULL;
	struct cloud_err err = CLOUD_ERR_INIT;

	ok(soap_answer("Login", 200, ok_answer, strlen(ok_answer), &root, &ret,
		       &err) == 0 && ret && !strcmp(ret->name, "LoginResponse"),
	   "a result: the Body's first element");
	xml_free(root);
	ok(soap_answer("Login", 500, vcsim_fault, strlen(vcsim_fault), &root,
		       &ret, &err) == -1 && !root && err.cls ==
	   CLOUD_ERR_NOT_FOUND, "a fault: -1, the tree freed, its class");
	ok(soap_answer("Login", 200, empty, strlen(empty), &root, &ret,
		       &err) == -1 && err.msg && strstr(err.msg, "HTTP 200 "
		       "without a result"), "an empty Body: no result");
	ok(soap_answer("Login", 502, "<html>bad gateway", 17, &root, &ret,
		       &err) == -1 && err.msg && strstr(err.msg, "is not XML"),
	   "a proxy's HTML page: not XML, said so");
	cloud_err_release(&err);
}

int main(void)
{
	templates();
	types_and_faults();
	method_fault();
	answers();
	return done_testing();
}
