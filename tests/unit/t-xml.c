/* t-xml.c: the capped XML reader (cloud/xml) on EC2 and ELB answer shapes,
 * entities, CDATA, namespaces, and every refusal and cap. */
#include "icm.h"
#include "cloud/xml.h"
#include "util/buf.h"
#include "util/str.h"
#include "tap.h"

static const char describe_instances[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<DescribeInstancesResponse "
	"xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n"
	"    <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>\n"
	"    <reservationSet>\n"
	"        <item>\n"
	"            <reservationId>r-0a1b2c3d4e5f60718</reservationId>\n"
	"            <ownerId>123456789012</ownerId>\n"
	"            <groupSet/>\n"
	"            <instancesSet>\n"
	"                <item>\n"
	"                    <instanceId>i-0aaa</instanceId>\n"
	"                    <imageId>ami-0123456789abcdef0</imageId>\n"
	"                    <instanceState>\n"
	"                        <code>16</code>\n"
	"                        <name>running</name>\n"
	"                    </instanceState>\n"
	"                    <privateIpAddress>198.18.0.11</privateIpAddress>\n"
	"                    <tagSet>\n"
	"                        <item><key>Name</key>"
	"<value>ECP-DM-TEST-0001</value></item>\n"
	"                        <item><key>Owner</key>"
	"<value>a &amp; b</value></item>\n"
	"                    </tagSet>\n"
	"                </item>\n"
	"                <item>\n"
	"                    <instanceId>i-0bbb</instanceId>\n"
	"                    <instanceState><code>0</code>"
	"<name>pending</name></instanceState>\n"
	"                </item>\n"
	"            </instancesSet>\n"
	"        </item>\n"
	"        <item>\n"
	"            <reservationId>r-2</reservationId>\n"
	"            <instancesSet><item><instanceId>i-0ccc</instanceId>"
	"</item></instancesSet>\n"
	"        </item>\n"
	"    </reservationSet>\n"
	"</DescribeInstancesResponse>\n";

static const char ec2_error[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code>"
	"<Message>The instance ID 'i-1a2b3c4d' does not exist</Message>"
	"</Error></Errors>"
	"<RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>";

static const char elb_error[] =
	"<ErrorResponse "
	"xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/\">\n"
	"  <Error>\n"
	"    <Type>Sender</Type>\n"
	"    <Code>LoadBalancerNotFound</Code>\n"
	"    <Message>There is no ACTIVE Load Balancer named 'x'</Message>\n"
	"  </Error>\n"
	"  <RequestId>c5f1a2b3-0000-1111-2222-333344445555</RequestId>\n"
	"</ErrorResponse>\n";

static struct xml_node *parse_ok(const char *s, const char *name)
{
	struct xml_node *root = NULL;
	char *err = NULL;

	if (!ok(xml_parse(s, strlen(s), &root, &err) == 0, "%s parses", name))
		printf("#   error: %s\n", err ? err : "(none)");
	free(err);
	return root;
}

/* Expects xml to be refused with an error containing want. */
static void refused_lim(const char *xml, size_t len,
			const struct xml_limits *lim, const char *want,
			const char *name)
{
	struct xml_node *root = (struct xml_node *)1;
	char *err = NULL;
	int r = xml_parse_limits(xml, len, lim, &root, &err);

	if (!ok(r == -1 && root == NULL && err && strstr(err, want),
		"refused: %s", name))
		printf("#   got: %s\n#   wanted: ...%s...\n",
		       err ? err : "(no error)", want);
	free(err);
	if (r == 0)
		xml_free(root);
}

/* Expects xml (a string) to parse under lim. */
static void accepted(const char *xml, const struct xml_limits *lim,
		     const char *name)
{
	struct xml_node *root = NULL;
	char *err = NULL;

	if (!ok(xml_parse_limits(xml, strlen(xml), lim, &root, &err) == 0,
		"%s", name))
		printf("#   error: %s\n", err ? err : "(none)");
	free(err);
	xml_free(root);
}

static void refused_with(const char *xml, const struct xml_limits *lim,
			 const char *want, const char *name)
{
	refused_lim(xml, strlen(xml), lim, want, name);
}

static void refused(const char *xml, const char *want, const char *name)
{
	struct xml_limits lim;

	xml_limits_default(&lim);
	refused_lim(xml, strlen(xml), &lim, want, name);
}

static void test_ec2_shapes(void)
{
	struct xml_node *root;
	const struct xml_node *res, *inst, *it;
	size_t k;

	root = parse_ok(describe_instances, "DescribeInstancesResponse");
	is_str(root ? root->name : NULL, "DescribeInstancesResponse",
	       "root local name");
	is_str(root ? root->ns : NULL,
	       "http://ec2.amazonaws.com/doc/2016-11-15/",
	       "default namespace resolved");
	ok(root && root->prefix == NULL && root->nattrs == 0,
	   "xmlns is not an attribute");
	is_str(xml_text(xml_child(root, "requestId")),
	       "59dbff89-35bd-4eac-99ed-be587EXAMPLE", "requestId");
	res = xml_path(root, "reservationSet/item");
	is_str(xml_text(xml_child(res, "reservationId")),
	       "r-0a1b2c3d4e5f60718", "first reservation");
	is_str(xml_text(xml_child(res, "groupSet")), "",
	       "self-closing element has empty text");
	inst = xml_path(res, "instancesSet/item");
	is_str(xml_text(xml_child(inst, "instanceId")), "i-0aaa",
	       "first instance");
	is_str(xml_text(xml_path(inst, "instanceState/name")), "running",
	       "instanceState/name");
	is_str(xml_child(inst, "instanceId")->ns,
	       "http://ec2.amazonaws.com/doc/2016-11-15/",
	       "children inherit the default namespace");
	is_int(xml_count(xml_child(inst, "tagSet"), "item"), 2, "two tags");
	is_str(xml_text(xml_path(inst, "tagSet/item/value")),
	       "ECP-DM-TEST-0001", "first tag value");
	it = xml_next_same(xml_path(inst, "tagSet/item"));
	is_str(xml_text(xml_child(it, "value")), "a & b",
	       "second tag value, entity expanded");
	is_str(xml_text(xml_child(xml_next_same(inst), "instanceId")),
	       "i-0bbb", "second instance via xml_next_same");
	ok(xml_next_same(xml_next_same(inst)) == NULL, "no third instance");
	k = 0;
	for (it = xml_child(root, "reservationSet")->children; it;
	     it = it->next)
		k += xml_count(xml_child(it, "instancesSet"), "item");
	is_int(k, 3, "three instances over two reservations (children/next)");
	ok(res && res->line == 5 && res->col == 9,
	   "line and column of a node");
	ok(inst && inst->parent && inst->parent->parent == res,
	   "parent links");
	ok(xml_path(root, "reservationSet/nothing/item") == NULL,
	   "missing path step gives NULL");
	ok(xml_path(root, "") == root, "empty path gives the node");
	xml_free(root);

	root = parse_ok(ec2_error, "EC2 error Response");
	is_str(xml_text(xml_path(root, "Errors/Error/Code")),
	       "InvalidInstanceID.NotFound", "EC2 error code");
	is_str(xml_text(xml_path(root, "Errors/Error/Message")),
	       "The instance ID 'i-1a2b3c4d' does not exist",
	       "EC2 error message");
	ok(root && root->ns == NULL, "no namespace when none is declared");
	xml_free(root);

	root = parse_ok(elb_error, "ELB ErrorResponse");
	is_str(xml_text(xml_path(root, "Error/Code")), "LoadBalancerNotFound",
	       "ELB error code");
	is_str(xml_text(xml_path(root, "Error/Type")), "Sender", "ELB type");
	xml_free(root);
}

static void test_null_safety(void)
{
	ok(xml_child(NULL, "a") == NULL, "xml_child(NULL)");
	ok(xml_text(NULL) == NULL, "xml_text(NULL)");
	ok(xml_path(NULL, "a/b") == NULL, "xml_path(NULL)");
	ok(xml_attr(NULL, "a") == NULL, "xml_attr(NULL)");
	ok(xml_next_same(NULL) == NULL, "xml_next_same(NULL)");
	is_int(xml_count(NULL, "a"), 0, "xml_count(NULL)");
	xml_free(NULL);
	ok(1, "xml_free(NULL)");
}

static void test_text_forms(void)
{
	struct xml_node *root;

	root = parse_ok("<a>&lt;&gt;&amp;&quot;&apos;|&#65;&#x42;&#x20AC;"
			"&#128512;</a>", "entities");
	is_str(xml_text(root), "<>&\"'|AB\xE2\x82\xAC\xF0\x9F\x98\x80",
	       "predefined and numeric entities to UTF-8");
	xml_free(root);

	root = parse_ok("<a>x<![CDATA[<b>&amp;]]]]>y<!-- c <d> -->z"
			"<?pi stuff?></a>", "CDATA, comment, PI");
	is_str(xml_text(root), "x<b>&amp;]]y" "z",
	       "CDATA kept raw, comment and PI skipped");
	xml_free(root);

	root = parse_ok("<a>one\r\ntwo\rthree<b/>four</a>", "line ends");
	is_str(xml_text(root), "one\ntwo\nthreefour",
	       "\\r\\n and \\r become \\n; text around a child concatenated");
	xml_free(root);

	root = parse_ok("\xEF\xBB\xBF<!-- lead --><?xml-stylesheet x?>\n"
			"<r k='v1' q=\"it's\" e='&lt;&#9;x' w='a\tb\nc'/>\n"
			"<!-- trail -->\n", "BOM, prolog, attributes");
	is_str(xml_attr(root, "k"), "v1", "single-quoted attribute");
	is_str(xml_attr(root, "q"), "it's", "double-quoted attribute");
	is_str(xml_attr(root, "e"), "<\tx",
	       "attribute entities (a reference keeps its tab)");
	is_str(xml_attr(root, "w"), "a b c",
	       "attribute whitespace normalised");
	ok(xml_attr(root, "zz") == NULL, "absent attribute");
	is_int(root ? root->nattrs : 0, 4, "four attributes");
	xml_free(root);

	root = parse_ok("<a>\xC3\xA9t\xC3\xA9</a>", "UTF-8 text");
	is_str(xml_text(root), "\xC3\xA9t\xC3\xA9", "UTF-8 kept");
	xml_free(root);
}

static void test_namespaces(void)
{
	struct xml_node *root;
	const struct xml_node *n;

	root = parse_ok("<e:R xmlns:e='urn:ec2' xmlns='urn:dflt' "
			"xmlns:x='urn:x'>"
			"<e:Code x:k='1' k='2'>c</e:Code>"
			"<Plain/>"
			"<i xmlns='urn:inner'><j/></i>"
			"<u xmlns=''/>"
			"<e:z xmlns:e='urn:rebound'/>"
			"<e:after/>"
			"<xml:lang/>"
			"</e:R>", "prefixes");
	is_str(root ? root->name : NULL, "R", "prefixed root: local name");
	is_str(root ? root->prefix : NULL, "e", "prefix kept");
	is_str(root ? root->ns : NULL, "urn:ec2", "prefix resolved");
	n = xml_child(root, "Code");
	is_str(n ? n->ns : NULL, "urn:ec2", "prefixed child");
	is_str(xml_text(n), "c", "prefixed child text");
	is_int(n ? n->nattrs : 0, 2, "x:k and k are different attributes");
	is_str(n && n->nattrs == 2 ? n->attrs[0].ns : NULL, "urn:x",
	       "prefixed attribute namespace");
	ok(n && n->nattrs == 2 && n->attrs[1].ns == NULL,
	   "unprefixed attribute has no namespace");
	is_str(xml_child(root, "Plain")->ns, "urn:dflt", "default namespace");
	is_str(xml_path(root, "i/j")->ns, "urn:inner",
	       "inner default namespace");
	ok(xml_child(root, "u")->ns == NULL, "xmlns='' undeclares");
	is_str(xml_child(root, "z")->ns, "urn:rebound", "prefix rebound");
	is_str(xml_child(root, "after")->ns, "urn:ec2",
	       "rebinding ends with its element");
	is_str(xml_child(root, "lang")->ns,
	       "http://www.w3.org/XML/1998/namespace", "xml prefix built in");
	xml_free(root);

	refused("<p:a/>", "1:1: namespace prefix 'p' is not declared",
		"unbound element prefix");
	refused("<a q:b='1'/>", "prefix 'q' is not declared",
		"unbound attribute prefix");
	refused("<a><p:b xmlns:p='u'/><p:c/></a>", "1:22: namespace prefix "
		"'p'", "binding does not outlive its element");
	refused("<a:b:c xmlns:a='u'/>", "malformed qualified name",
		"two colons");
	refused("<a xmlns:p=''/>", "empty URI", "prefix bound to empty URI");
	refused("<a xmlns:xmlns='u'/>", "reserved", "xmlns prefix declared");
	refused("<a xmlns:xml='urn:other'/>", "reserved",
		"xml prefix rebound");
	refused("<a xmlns:p='u' xmlns:q='u' p:x='1' q:x='2'/>",
		"duplicate attribute 'q:x'", "same attribute via two prefixes");
}

/* Documents refused: the input, part of the reason, the case. */
static const struct {
	const char *xml, *want, *name;
} refusals[] = {
	{ "", "1:1: no root element", "empty input" },
	{ "  <!-- c -->  ", "no root element", "only a comment" },
	{ "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>",
	  "1:1: DOCTYPE is not allowed",
	  "DOCTYPE" },
	{ "<a>&bogus;</a>",
	  "1:4: unknown entity '&bogus;'",
	  "unknown entity" },
	{ "<a>AT&T</a>",
	  "does not start an entity reference",
	  "bare ampersand" },
	{ "<a>&#0;</a>", "is not an XML character", "&#0;" },
	{ "<a>&#xD800;</a>", "is not an XML character", "surrogate" },
	{ "<a>&#x110000;</a>", "is not an XML character", "beyond U+10FFFF" },
	{ "<a>&#9999999999;</a>",
	  "malformed character reference",
	  "overflowing reference" },
	{ "<a>&#x;</a>", "malformed character reference", "&#x;" },
	{ "<a>&#12a;</a>", "malformed character reference", "&#12a;" },
	{ "<a>&;</a>", "empty entity", "&;" },
	{ "<a>\n  <b>\n  </c>\n</a>",
	  "3:3: end tag </c> does not match <b> (line 2, column 3)",
	  "mismatched end tag with line:column" },
	{ "<a></A>", "does not match", "case matters" },
	{ "<p:a xmlns:p='u'></a>",
	  "does not match",
	  "end tag must repeat the prefix" },
	{ "<a><b></b>",
	  "unexpected end of input: <a> (line 1, column 1) is not closed",
	  "missing end tag" },
	{ "<a><b>text",
	  "<b> (line 1, column 4) is not closed",
	  "truncated in text" },
	{ "<a><b x='1",
	  "unterminated value of attribute 'x'",
	  "truncated in attribute" },
	{ "<a><b x",
	  "expected '=' after attribute 'x'",
	  "truncated after attribute name" },
	{ "<a><b", "unterminated start tag <b", "truncated in tag" },
	{ "<a></a", "unterminated end tag </a", "truncated end tag" },
	{ "<a><!-- x", "1:4: unterminated comment", "truncated comment" },
	{ "<a><![CDATA[x", "unterminated CDATA", "truncated CDATA" },
	{ "<?xml version='1.0'",
	  "unterminated processing instruction",
	  "truncated declaration" },
	{ "<a/><b/>", "1:5: content after the root element", "two roots" },
	{ "<a/>x", "text outside the root element", "trailing text" },
	{ "x<a/>", "1:1: text outside", "leading text" },
	{ "<a/>&amp;", "text outside", "trailing reference" },
	{ "<![CDATA[x]]><a/>", "CDATA outside", "CDATA before root" },
	{ "</a>", "without a start tag", "lone end tag" },
	{ "<a x='1'><b y='<'/></a>", "'<' in the value of attribute 'y'",
	  "a failed attribute after an element with attributes" },
	{ "<a>&l\nt;</a>", "1:4: '&' does not start an entity reference",
	  "reference broken by a line end (errors stay one line)" },
	{ "<a><\n/></a>", "expected a name, found a line end",
	  "line end after '<'" },
	{ "<a x='1' x='2'/>",
	  "duplicate attribute 'x'",
	  "duplicate attribute" },
	{ "<a x=1/>", "not quoted", "unquoted attribute" },
	{ "<a x='<'/>", "'<' in the value", "'<' in attribute" },
	{ "<a x='1'y='2'/>", "expected whitespace", "attributes run on" },
	{ "<1a/>", "expected a name", "name starting with a digit" },
	{ "<a><!ELEMENT a ANY></a>", "unexpected '<!'", "markup decl" },
	{ "<a>\x01</a>",
	  "1:4: character U+0001 is not allowed",
	  "control character" },
	{ "<a>\xC3\x28</a>", "invalid UTF-8", "bad continuation" },
	{ "<a>\xC0\xAF</a>", "invalid UTF-8", "overlong" },
	{ "<a>\xED\xA0\x80</a>", "invalid UTF-8", "UTF-8 surrogate" },
	{ "<a>\xE2\x82", "truncated UTF-8", "truncated UTF-8" },
};

static void test_refusals(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(refusals); i++)
		refused(refusals[i].xml, refusals[i].want, refusals[i].name);
	{
		static const char nul[] = "<a>x\0y</a>";
		struct xml_limits lim;

		xml_limits_default(&lim);
		refused_lim(nul, sizeof(nul) - 1, &lim, "U+0000",
			    "NUL byte inside the given length");
	}
}

/* A document nested n deep: <e><e>...</e></e>. */
static char *nested(unsigned n)
{
	struct buf b;
	unsigned i;

	buf_init(&b, 1 << 20);
	for (i = 0; i < n; i++)
		if (buf_adds(&b, "<e>"))
			return NULL;
	for (i = 0; i < n; i++)
		if (buf_adds(&b, "</e>"))
			return NULL;
	return buf_take(&b);
}

static void test_caps(void)
{
	struct xml_limits lim;
	char *doc;
	struct buf b;
	unsigned i;

	xml_limits_default(&lim);
	doc = nested(XML_MAX_DEPTH);
	accepted(doc, &lim, "nesting at the depth cap (64) parses");
	free(doc);
	doc = nested(XML_MAX_DEPTH + 1);
	refused_lim(doc, strlen(doc), &lim, "nested more than 64 deep",
		    "one level past the depth cap");
	free(doc);
	doc = nested(100000);
	refused_lim(doc, strlen(doc), &lim, "nested more than 64 deep",
		    "100000 levels (no recursion, no crash)");
	free(doc);

	/* A deep tree is freed without recursion. */
	lim.max_depth = 200000;
	doc = nested(100000);
	accepted(doc, &lim, "100000 levels with a raised cap");
	free(doc);

	xml_limits_default(&lim);
	lim.max_input = 10;
	refused_with("<a>12345</a>", &lim,
		    "1:1: input of 12 bytes is over the 10-byte cap",
		    "input cap");

	xml_limits_default(&lim);
	lim.max_nodes = 3;
	accepted("<a><b/><c/></a>", &lim, "three elements at a cap of 3");
	refused_with("<a><b/><c/><d/></a>", &lim, "1:12: more than 3 "
		    "elements", "node cap");

	xml_limits_default(&lim);
	lim.max_name = 4;
	accepted("<abcd/>", &lim, "name at the name cap");
	refused_with("<abcde/>", &lim, "name longer than 4 bytes",
		    "name cap");
	refused_with("<a abcde='1'/>", &lim, "name longer than 4 bytes",
		    "attribute name cap");

	xml_limits_default(&lim);
	lim.max_text = 5;
	accepted("<a>12<b/>345</a>", &lim, "text at the text cap");
	refused_with("<a>12<b/>3456</a>", &lim,
		    "text is longer than 5 bytes", "text cap, across a child");
	refused_with("<a>1234&amp;&amp;</a>", &lim,
		    "text is longer than 5 bytes", "text cap via entities");
	refused_with("<a><![CDATA[123456]]></a>", &lim,
		    "longer than 5 bytes", "text cap via CDATA");
	refused_with("<a x='123456'/>", &lim,
		    "value of attribute 'x' is longer than 5 bytes",
		    "attribute value cap");

	xml_limits_default(&lim);
	lim.max_attrs = 2;
	accepted("<a x='1' y='2'/>", &lim, "attributes at the cap");
	refused_with("<a x='1' y='2' z='3'/>", &lim,
		    "more than 2 attributes in <a>", "attribute cap");
	refused_with("<a xmlns='u' y='2' z='3'/>", &lim,
		    "more than 2 attributes", "xmlns counts toward the cap");

	/* The default node cap, on a flat document of 1,000,001 elements. */
	buf_init(&b, 8u << 20);
	i = 0;
	if (buf_adds(&b, "<r>") == 0)
		for (i = 0; i < XML_MAX_NODES; i++)
			if (buf_adds(&b, "<i/>"))
				break;
	ok(i == XML_MAX_NODES && buf_adds(&b, "</r>") == 0,
	   "built a document of 1,000,001 elements");
	xml_limits_default(&lim);
	refused_lim(b.data, b.len, &lim, "more than 1000000 elements",
		    "default node cap");
	buf_release(&b);
}

int main(void)
{
	test_ec2_shapes();
	test_null_safety();
	test_text_forms();
	test_namespaces();
	test_refusals();
	test_caps();
	return done_testing();
}
