"""A webhook receiver on loopback for the server's tests: answers 500 to a
share of the deliveries at random (seeded), checks each signature, and keeps
every delivery it accepted in a JSON-lines file.

Usage: receiver.py PORT_FILE LOG_FILE SECRET FAIL_RATE SEED [PORT]
Listens on PORT (default: any free port) and writes it to PORT_FILE."""
import hashlib, hmac, json, random, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port_file, log_file, secret, fail_rate, seed = sys.argv[1], sys.argv[2], sys.argv[3].encode(), float(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed)

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        want = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, self.headers.get("X-Smdl-Signature", "")):
            self.send_response(401); self.end_headers(); return
        if rng.random() < fail_rate:
            self.send_response(500); self.end_headers(); return
        with open(log_file, "a") as out:
            out.write(json.dumps({"delivery": self.headers.get("X-Smdl-Delivery"),
                                  "name": self.headers.get("X-Smdl-Message"),
                                  "message": json.loads(body)}) + "\n")
        self.send_response(204); self.end_headers()
    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[6]) if len(sys.argv) > 6 else 0), Handler)
with open(port_file, "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
