/* t-iris-merge.c: the IRIS password hash and first-start merge file
 * (iris/merge). */
#include "icm.h"
#include "iris/merge.h"
#include "state/log.h"
#include "util/str.h"
#include "tap.h"

int main(void)
{
	char *h = iris_password_hash("SYS", "u4ocm4qh"), *r;
	struct iris_merge_in in;
	struct buf b;
	char *why = NULL;
	char path[] = "/tmp/t-iris-merge.XXXXXX";
	int fd;

	is_str(h, "FBFE8593AEFA510C27FD184738D6E865A441DE98,u4ocm4qh",
	       "PasswordHash of SYS with the published salt");
	free(h);
	r = iris_password_hash("secret", NULL);
	ok(r && strlen(r) == 40 + 1 + IRIS_SALT_LEN && r[40] == ',',
	   "a random salt: 40 hex digits, a comma, 8 characters");
	free(r);

	memset(&in, 0, sizeof(in));
	in.password_hash = "AB,cd";
	in.superserver_port = "1972";
	in.webserver_port = "52773";
	in.wij_dir = "/irissys/wij";
	in.journal1_dir = "/irissys/journal1";
	in.journal2_dir = "/irissys/journal2";
	buf_init(&b, 1 << 16);
	ok(iris_merge_text(&in, &b, NULL) == 0, "merge text");
	is_str(b.data, "[Startup]\nPasswordHash=AB,cd\nDefaultPort=1972\n"
	       "WebServerPort=52773\n[config]\nwijdir=/irissys/wij\n"
	       "[Journal]\nCurrentDirectory=/irissys/journal1\n"
	       "AlternateDirectory=/irissys/journal2\n", "its lines");
	buf_release(&b);

	memset(&in, 0, sizeof(in));
	in.globals = "0,0,40960,0,0,0";
	in.routines = "128";
	in.max_servers = "64";
	in.enable_sharding = true;
	buf_init(&b, 1 << 16);
	ok(iris_merge_text(&in, &b, NULL) == 0, "merge text of a cluster node");
	is_str(b.data, "[Startup]\nEnableSharding=1\n[config]\n"
	       "globals=0,0,40960,0,0,0\nroutines=128\nMaxServers=64\n"
	       "MaxServerConn=64\n", "ISC* memory, the shard service and "
	       "the ECP limits, each section once");
	buf_release(&b);

	/* a value cannot bring a line of its own, a port is a number */
	memset(&in, 0, sizeof(in));
	in.node = "DM-1";
	in.password_hash = "AB,cd";
	in.system_mode = "LIVE\n[Startup]\nPasswordHash=00,evil";
	buf_init(&b, 1 << 16);
	ok(iris_merge_text(&in, &b, &why) == -1 &&
	   !strcmp(report_main_error(), "DM-1, the merge file (CPF): "
		   "SystemMode holds a control character (0x0a at byte 5)"),
	   "SystemMode with a line break is refused, named (%s)",
	   report_main_error());
	ok(why && !strcmp(why, report_main_error()),
	   "... and the call hands the message back (%s)", why);
	free(why);
	buf_release(&b);
	in.system_mode = NULL;
	in.journal2_dir = "/j\r";
	buf_init(&b, 1 << 16);
	ok(iris_merge_text(&in, &b, NULL) == -1 &&
	   strstr(report_main_error(), "Journal2MountPoint holds a control"),
	   "a directory with a CR is refused");
	buf_release(&b);
	in.journal2_dir = NULL;
	in.superserver_port = "1972\nWebServerPort=1";
	buf_init(&b, 1 << 16);
	ok(iris_merge_text(&in, &b, NULL) == -1 &&
	   strstr(report_main_error(), "SuperServerPort is not a number from 1 "
		  "to 65535"), "a SuperServerPort that is not a number is "
	   "refused");
	buf_release(&b);
	in.superserver_port = "1972";
	in.webserver_port = "0";
	buf_init(&b, 1 << 16);
	ok(iris_merge_text(&in, &b, NULL) == -1 &&
	   strstr(report_main_error(), "WebServerPort is not a number"),
	   "nor a WebServerPort of 0");
	buf_release(&b);
	memset(&in, 0, sizeof(in));

	fd = mkstemp(path);
	if (write(fd, "[config]\nglobals=0,0,128\n", 25) != 25)
		return 1;
	close(fd);
	in.user_cpf = path;
	buf_init(&b, 1 << 16);
	ok(iris_merge_text(&in, &b, NULL) == 0 &&
	   str_ends(b.data, "[config]\nglobals=0,0,128\n"),
	   "UserCPF appended");
	buf_release(&b);
	fd = open(path, O_WRONLY | O_APPEND);
	if (write(fd, "WebServerPort=1\n", 16) != 16)
		return 1;
	close(fd);
	buf_init(&b, 1 << 16);
	ok(iris_merge_text(&in, &b, NULL) == -1, "UserCPF setting an owned port");
	ok(strstr(report_main_error(), ":3: 'WebServerPort' is set by icm") !=
	   NULL, "the message names the line and the setting");
	buf_release(&b);
	unlink(path);
	return done_testing();
}
