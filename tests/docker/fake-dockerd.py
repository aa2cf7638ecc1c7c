#!/usr/bin/python3
# fake-dockerd.py PORTFILE CA CERT KEY APIVERSION: an HTTPS server on
# 127.0.0.1 (port written to PORTFILE) that demands a client certificate
# signed by CA, answers GET /version with {"ApiVersion": APIVERSION} as an
# older Docker daemon would, and any other request with {"path": PATH} so
# a test can see which versioned prefix the client chose.  For the version
# negotiation cases of tests/e2e/34-docker-api.sh; stopped by its PID.
import http.server, json, os, ssl, sys

portfile, ca, cert, key, api = sys.argv[1:6]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        if self.path == "/version":
            body = {"ApiVersion": api, "Version": "fake-" + api}
        else:
            body = {"path": self.path}
        data = json.dumps(body).encode()
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PUT = answer

    def log_message(self, *args):
        pass


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_REQUIRED
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
