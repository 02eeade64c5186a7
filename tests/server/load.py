"""HTTP load for the kill test: client threads create tickets and fire events
over keep-alive connections until the server goes away, and append every
acknowledged answer (record id and version) to a file as soon as it comes.

Usage: load.py URL TOKEN ACK_FILE THREADS"""
import http.client, json, sys, threading

url, token, ack_file, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
host, port = url[len("http://"):].split(":")
lock = threading.Lock()
out = open(ack_file, "a", buffering=1)

def acknowledge(body):
    d = json.loads(body)
    with lock:
        out.write("%s %d\n" % (d["id"], d["version"]))
        out.flush()

def client(n):
    h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    try:
        c = http.client.HTTPConnection(host, int(port), timeout=10)
        while True:
            c.request("POST", "/v1/records", json.dumps({"type": "Ticket", "fields": {"title": "k%d" % n}}), h)
            r = c.getresponse(); body = r.read()
            if r.status != 201:
                continue
            acknowledge(body)
            rid = json.loads(body)["id"]
            for text in ("a", "b"):
                c.request("POST", "/v1/records/%s/events/note" % rid, json.dumps({"text": text}), h)
                r = c.getresponse(); body = r.read()
                if r.status == 200:
                    acknowledge(body)
    except (OSError, http.client.HTTPException):
        return  # the server was killed

ts = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
for t in ts: t.start()
for t in ts: t.join()
