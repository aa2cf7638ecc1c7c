/* t-runopts.c: -options (docker run/exec flags) into Engine API JSON
 * (docker/runopts). */
#include "icm.h"
#include "docker/runopts.h"
#include "state/log.h"
#include "tap.h"

/* The JSON text of cfg's member path "A.B" (compact), or "". */
static char *at(const cJSON *cfg, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, a);
	static char text[2048];
	char *s;

	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	if (!v)
		return "";
	s = cJSON_PrintUnformatted(v);
	snprintf(text, sizeof(text), "%s", s);
	cJSON_free(s);
	return text;
}

static cJSON *apply(const char *opts, int *rc)
{
	cJSON *c = cJSON_Parse("{\"Image\":\"x\",\"HostConfig\":"
			       "{\"NetworkMode\":\"host\"}}");

	*rc = runopts_apply(opts, c, NULL);
	return c;
}

int main(void)
{
	cJSON *c;
	char **argv;
	int argc, rc;
	struct execopts eo;

	ok(words_split("a 'b c' \"d \\\"e\\\"\" f\\ g ''", "t", &argv,
		       &argc, NULL) == 0, "words: quotes and escapes");
	is_int(argc, 5, "words: count");
	is_str(argv[1], "b c", "words: single quotes");
	is_str(argv[2], "d \"e\"", "words: double quotes with escapes");
	is_str(argv[3], "f g", "words: backslash-space");
	is_str(argv[4], "", "words: an empty quoted word");
	words_free(argv);
	ok(words_split("a 'b", "t", &argv, &argc, NULL) == -1,
	   "words: unterminated quote refused");
	ok(strstr(report_main_error(), "unterminated single quote") != NULL,
	   "words: the message says which quote");

	c = apply("--env A=1 -e B=two --volume /h:/c:ro -v /anon "
		  "--publish 8080:80 -p 127.0.0.1:53:53/udp -p 9000 "
		  "--cap-add IPC_LOCK --cap-drop NET_RAW --privileged "
		  "--memory 512m --cpus 1.5 --shm-size=1g --ulimit "
		  "nofile=1024:2048 --entrypoint /bin/sh --user 51773 "
		  "--workdir /tmp --label a=b --log-driver json-file "
		  "--log-opt max-size=10m --device /dev/fuse "
		  "--security-opt seccomp=unconfined --tmpfs /run:size=64m "
		  "--network bridge --init", &rc);
	is_int(rc, 0, "run: every accepted flag");
	is_str(at(c, "Env", NULL), "[\"A=1\",\"B=two\"]", "--env, -e");
	is_str(at(c, "HostConfig", "Binds"), "[\"/h:/c:ro\"]", "--volume bind");
	is_str(at(c, "Volumes", NULL), "{\"/anon\":{}}", "-v anonymous");
	is_str(at(c, "HostConfig", "PortBindings"),
	       "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}],"
	       "\"53/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"53\"}],"
	       "\"9000/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}",
	       "--publish forms");
	is_str(at(c, "ExposedPorts", NULL),
	       "{\"80/tcp\":{},\"53/udp\":{},\"9000/tcp\":{}}",
	       "published ports are exposed");
	is_str(at(c, "HostConfig", "CapAdd"), "[\"IPC_LOCK\"]", "--cap-add");
	is_str(at(c, "HostConfig", "CapDrop"), "[\"NET_RAW\"]", "--cap-drop");
	is_str(at(c, "HostConfig", "Privileged"), "true", "--privileged");
	is_str(at(c, "HostConfig", "Memory"), "536870912", "--memory 512m");
	is_str(at(c, "HostConfig", "NanoCpus"), "1500000000", "--cpus 1.5");
	is_str(at(c, "HostConfig", "ShmSize"), "1073741824", "--shm-size=1g");
	is_str(at(c, "HostConfig", "Ulimits"),
	       "[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}]",
	       "--ulimit");
	is_str(at(c, "Entrypoint", NULL), "[\"/bin/sh\"]", "--entrypoint");
	is_str(at(c, "User", NULL), "\"51773\"", "--user");
	is_str(at(c, "WorkingDir", NULL), "\"/tmp\"", "--workdir");
	is_str(at(c, "Labels", NULL), "{\"a\":\"b\"}", "--label");
	is_str(at(c, "HostConfig", "LogConfig"),
	       "{\"Type\":\"json-file\",\"Config\":{\"max-size\":\"10m\"}}",
	       "--log-driver, --log-opt");
	is_str(at(c, "HostConfig", "Devices"),
	       "[{\"PathOnHost\":\"/dev/fuse\",\"PathInContainer\":"
	       "\"/dev/fuse\",\"CgroupPermissions\":\"rwm\"}]", "--device");
	is_str(at(c, "HostConfig", "SecurityOpt"), "[\"seccomp=unconfined\"]",
	       "--security-opt");
	is_str(at(c, "HostConfig", "Tmpfs"), "{\"/run\":\"size=64m\"}",
	       "--tmpfs");
	is_str(at(c, "HostConfig", "NetworkMode"), "\"bridge\"", "--network");
	is_str(at(c, "HostConfig", "Init"), "true", "--init");
	cJSON_Delete(c);

	c = apply("--pid host", &rc);
	is_int(rc, -1, "run: --pid refused");
	ok(strstr(report_main_error(), "'--pid' is not a docker run option icm "
		  "accepts") != NULL, "run: the refusal names the flag");
	is_str(at(c, "HostConfig", "NetworkMode"), "\"host\"",
	       "run: a refused -options changes nothing");
	cJSON_Delete(c);
	c = apply("--env A=1 --memory lots", &rc);
	is_int(rc, -1, "run: a bad size refused");
	ok(strstr(report_main_error(), "--memory 'lots'") != NULL,
	   "run: the message names the flag and value");
	is_str(at(c, "Env", NULL), "", "run: nothing applied on error");
	cJSON_Delete(c);
	c = apply("--env", &rc);
	is_int(rc, -1, "run: a flag without its value refused");
	cJSON_Delete(c);
	c = apply("IPC_LOCK", &rc);
	is_int(rc, -1, "run: a bare word refused");
	cJSON_Delete(c);
	c = apply("--device /dev/a:/dev/b:r --device /dev/c:rw -p 1:2:3:4",
		  &rc);
	is_int(rc, -1, "run: a bad --publish refused");
	cJSON_Delete(c);
	c = apply("--device /dev/a:/dev/b:r --device /dev/c:rw", &rc);
	is_str(at(c, "HostConfig", "Devices"),
	       "[{\"PathOnHost\":\"/dev/a\",\"PathInContainer\":\"/dev/b\","
	       "\"CgroupPermissions\":\"r\"},{\"PathOnHost\":\"/dev/c\","
	       "\"PathInContainer\":\"/dev/c\",\"CgroupPermissions\":\"rw\"}]",
	       "--device with a container path and permissions");
	cJSON_Delete(c);

	is_int(runopts_size("1024"), 1024, "size: bytes");
	is_int(runopts_size("2k"), 2048, "size: k");
	is_int(runopts_size("1GB"), 1073741824L, "size: GB");
	is_int(runopts_size("1.5m"), 1572864, "size: fractions");
	is_int(runopts_size("m"), -1, "size: no number");
	is_int(runopts_size("5x"), -1, "size: unknown unit");

	ok(execopts_parse("--env A=1 -e B=2 --user u -w /w", &eo) == 0,
	   "exec: --env, --user, --workdir");
	is_str(eo.env[1], "B=2", "exec: env collected");
	is_str(eo.user, "u", "exec: user");
	is_str(eo.workdir, "/w", "exec: workdir");
	execopts_release(&eo);
	ok(execopts_parse("--publish 80", &eo) == -1,
	   "exec: a run-only flag refused");
	ok(strstr(report_main_error(),
		  "'--publish' is not a docker exec option") != NULL,
	   "exec: the refusal says exec");
	return done_testing();
}
