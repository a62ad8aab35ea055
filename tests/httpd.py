#!/usr/bin/env python3
"""A real HTTP server on 127.0.0.1 for the download tests. Serves files from
a directory under /files/, and misbehaves on purpose under other paths:
/redirect/NAME (302 to /files/NAME), /cut/NAME (promises more bytes than it
sends, then closes), /endless/NAME (a body that never ends, no length),
/drip/NAME (3 bytes a second, forever), /tofile/NAME (302 to file:///etc/NAME). Every request is appended to requests.log. Prints the
port, then serves until killed."""
import http.server, os, sys, time

root = sys.argv[1]

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        with open(os.path.join(root, "requests.log"), "a") as f:
            f.write(self.path + "\n")
        kind, _, name = self.path.lstrip("/").partition("/")
        path = os.path.join(root, "files", os.path.basename(name))
        if kind in ("endless", "drip"):
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                while True:
                    self.wfile.write(b"x" * (3 if kind == "drip" else 65536))
                    self.wfile.flush()
                    if kind == "drip":
                        time.sleep(1)
            except OSError:
                return
        if kind == "tofile":
            self.send_response(302)
            self.send_header("Location", "file:///etc/" + name)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if kind == "redirect":
            self.send_response(302)
            self.send_header("Location", "/files/" + name)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if kind not in ("files", "cut") or not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if kind == "cut":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
