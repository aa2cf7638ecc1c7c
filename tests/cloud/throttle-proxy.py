#!/usr/bin/env python3
# throttle-proxy.py LISTEN_PORT TARGET_URL EVERY LOG: an HTTP proxy on
# 127.0.0.1:LISTEN_PORT in front of an AWS endpoint (moto) that answers
# every EVERY-th request itself with a throttling error, as EC2 does under
# load: HTTP 503 and <Response><Errors><Error><Code>RequestLimitExceeded...
# (ELB's shape for ELB requests).  Each injected answer appends a line to
# LOG.  For tests/e2e/64-aws-moto.sh: icm must retry and still finish.
import http.server, sys, threading, urllib.request

port, target, every, logpath = int(sys.argv[1]), sys.argv[2].rstrip("/"), int(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
count = [0]

EC2 = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
       b'<Code>RequestLimitExceeded</Code><Message>Request limit exceeded.'
       b'</Message></Error></Errors><RequestID>throttle</RequestID></Response>')
ELB = (b'<ErrorResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">'
       b'<Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded'
       b'</Message></Error><RequestId>throttle</RequestId></ErrorResponse>')


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            count[0] += 1
            inject = count[0] % every == 0
        if inject:
            ans = ELB if b"Version=2015-12-01" in body else EC2
            with open(logpath, "a") as f:
                f.write("throttled %d\n" % count[0])
            self.send_response(503)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(ans)))
            self.end_headers()
            self.wfile.write(ans)
            return
        req = urllib.request.Request(target + self.path, data=body, method="POST")
        for k, v in self.headers.items():
            if k.lower() not in ("host", "content-length", "connection"):
                req.add_header(k, v)
        try:
            with urllib.request.urlopen(req) as r:
                status, data, ctype = r.status, r.read(), r.headers.get("Content-Type", "text/xml")
        except urllib.error.HTTPError as e:
            status, data, ctype = e.code, e.read(), e.headers.get("Content-Type", "text/xml")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
