#!/usr/bin/env python3
"""The smdl engine from Python through the C API: deploy the service desk,
open a ticket, work it as an agent, see a rejection, read the history and
the outbox, verify the audit log.

Usage: example.py DB_DIR MODULE_DIR_OR_FILE
  SMDL_LIBRARY=/path/to/libsmdl.so python3 examples/c_api/example.py \\
      /tmp/desk-db examples/c_api/desk.smdl
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from smdl import Engine, SmdlError, version  # noqa: E402


def run(db_dir, modules):
    with Engine(db_dir) as engine:
        print(f"smdl library {version()}")
        deployed = engine.deploy(modules, actor="admin")
        print(f"definition version {deployed['version']}: {', '.join(deployed['modules'])}")

        ticket = engine.create("Ticket", {"title": "VPN down"}, actor="anna")
        tid = ticket["id"]
        print(f"created {tid} in state {ticket['state']}")

        # Taking a ticket needs the role agent: without it the event is
        # refused, and the ticket does not change.
        try:
            engine.fire(tid, "take", actor="bob")
            print("error: take without the role agent was accepted", file=sys.stderr)
            return 1
        except SmdlError as e:
            print(f"rejected ({e.status}): {e.message}")

        taken = engine.fire(tid, "take", actor="bob", roles=["agent"])
        print(f"{tid} taken by {taken['fields']['assignee']}, now {taken['state']}")
        resolved = engine.fire(tid, "resolve", {"note": "restarted the VPN gateway"}, actor="bob", roles=["agent"])
        print(f"{tid} now {resolved['state']}: {resolved['fields']['resolution']}")
        # Close only if no one changed the ticket since it was read.
        closed = engine.fire(tid, "close", actor="anna", if_version=resolved["version"])
        print(f"{tid} now {closed['state']} at version {closed['version']}")

        print(f"history: {len(engine.history(tid))} entries")
        messages = engine.outbox()
        for m in messages:
            print(f"message {m['seq']}: {m['message']} for {m['record']}")
        if messages:
            engine.acknowledge(messages[-1]["seq"])
        print(f"outbox after acknowledging: {len(engine.outbox())} messages")

        verified = engine.verify()
        print(f"verify: chain {verified['chain']}, replay {verified['replay']}")
    return 0


def main(argv):
    if len(argv) != 3:
        print("usage: example.py DB_DIR MODULE_DIR_OR_FILE", file=sys.stderr)
        return 2
    try:
        return run(argv[1], argv[2])
    except SmdlError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except OSError as e:  # the library could not be loaded
        print(f"error: {e} (set SMDL_LIBRARY to the path of libsmdl.so)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
