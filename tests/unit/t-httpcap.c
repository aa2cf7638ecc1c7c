/*
 * t-httpcap.c: answer headers kept by src/cloud/http.c through libcurl,
 * from a loopback server forked here: the request's one capture (the
 * vSphere session cookie) and its captures list (ARM's Location,
 * Azure-AsyncOperation, Retry-After) side by side, names matched
 * without case, the last value of a repeated header, "" for a header that
 * did not come or does not fit, and the list emptied when a request
 * starts.
 */
#include "icm.h"
#include "cloud/http.h"
#include "util/str.h"
#include "tap.h"
#include "testutil.h"
#include <sys/wait.h>

int main(void)
{
	char tmpl[] = "/tmp/t-httpcap.XXXXXX", *dir = mkdtemp(tmpl);
	struct http_endpoint ep = { .no_proxy = true };
	struct http_capture caps[4] = {
		{ .name = "location" }, { .name = "Azure-AsyncOperation" },
		{ .name = "Retry-After" }, { .name = "X-Big" },
	};
	struct http_request req = {
		.method = "GET", .capture = "Set-Cookie", .captures = caps,
		.ncaptures = ARRAY_SIZE(caps),
	};
	struct http_response resp;
	struct http_client c;
	char *save, *reply, *big, *err = NULL, *url;
	int port = 0, st = -1;
	pid_t pid;

	if (!dir) {
		printf("1..0 # SKIP cannot make a temp dir\n");
		return 0;
	}
	big = xmalloc(HTTP_CAPTURE_MAX + 1);
	memset(big, 'b', HTTP_CAPTURE_MAX);
	big[HTTP_CAPTURE_MAX] = '\0';
	snprintf(caps[2].value, sizeof(caps[2].value), "stale");
	save = xasprintf("%s/request", dir);
	reply = xasprintf("HTTP/1.1 202 Accepted\r\nSet-Cookie: vmware_soap_"
			  "session=\"abc\"; Path=/\r\nLOCATION: https://h/op/1"
			  "\r\nAzure-AsyncOperation: https://h/op/0\r\n"
			  "Azure-AsyncOperation:   https://h/op/2  \r\n"
			  "X-Big: %s\r\nContent-Length: 0\r\nConnection: "
			  "close\r\n\r\n", big);
	pid = serve_once(reply, save, &port);
	url = xasprintf("http://127.0.0.1:%d/x", port);
	req.url = url;
	http_response_init(&resp);
	if (pid < 0 || http_client_init_for(&c, &ep, &err)) {
		printf("1..0 # SKIP no loopback server or client: %s\n",
		       err ? err : "fork");
		return 0;
	}
	ok(!http_perform(&c, &req, &resp) && resp.status == 202,
	   "an answer through libcurl");
	waitpid(pid, &st, 0);
	is_str(resp.captured, "vmware_soap_session=\"abc\"; Path=/",
	       "the one capture: Set-Cookie");
	is_str(caps[0].value, "https://h/op/1", "captures: Location, its "
	       "name in another case");
	is_str(caps[1].value, "https://h/op/2", "... a repeated header: the "
	       "last value, blanks trimmed");
	is_str(caps[2].value, "", "... one that did not come: \"\" (the "
	       "earlier value emptied)");
	is_str(caps[3].value, "", "... one too long to fit: \"\"");
	http_response_release(&resp);
	http_client_release(&c);
	free(err);
	free(url);
	free(big);
	free(reply);
	free(save);
	if (fs_remove_tree(dir))
		printf("# cannot remove %s\n", dir);
	return done_testing();
}
