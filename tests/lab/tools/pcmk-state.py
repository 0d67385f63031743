#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Pacemaker's view, one fact per line, for tests/lab/long/34-pacemaker.bats.

Reads "crm_mon -1 --output-as=xml --include=all" on stdin and prints:

  node NAME online|offline[ unclean]
  rsc ID ROLE NODE          (NODE "-" for an instance running nowhere)
  attr NODE NAME VALUE      (transient node attributes: promotion scores)
  fenced TARGET ACTION STATUS DELEGATE   (fencing history)
  failed OPKEY NODE EXITSTATUS[ REASON]  (failed actions)

sorted, so that a test can compare or grep them.
"""
import sys
import xml.etree.ElementTree as ET


def main():
    try:
        root = ET.fromstring(sys.stdin.read())
    except ET.ParseError as e:
        sys.exit(f"pcmk-state: crm_mon's output is not XML: {e}")
    out = []
    for n in root.iterfind("./nodes/node"):
        state = "online" if n.get("online") == "true" else "offline"
        if n.get("unclean") == "true":
            state += " unclean"
        out.append(f"node {n.get('name')} {state}")
    for r in root.iter("resource"):
        nodes = [n.get("name") for n in r.iterfind("node")] or ["-"]
        for name in nodes:
            out.append(f"rsc {r.get('id')} {r.get('role')} {name}")
    for n in root.iterfind("./node_attributes/node"):
        for a in n.iterfind("attribute"):
            out.append(f"attr {n.get('name')} {a.get('name')} {a.get('value')}")
    for f in root.iterfind("./fence_history/fence_event"):
        out.append(f"fenced {f.get('target')} {f.get('action')} {f.get('status')} {f.get('delegate', '-')}")
    for f in root.iterfind("./failures/failure"):
        key = f.get("op_key") or f.get("id")
        line = f"failed {key} {f.get('node')} {f.get('exitstatus')}"
        if f.get("exitreason"):
            line += f" {f.get('exitreason')}"
        out.append(line)
    print("\n".join(sorted(out)))


if __name__ == "__main__":
    main()
