#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""peer-req.py FROM SRC_ADDR TO TO_ADDR KEYFILE REQUEST_JSON [SIGNED_TO]

One request to the daemon of server TO as server FROM would send it
(Documentation/cluster-protocol.md), from SRC_ADDR, signed with the cluster
key in KEYFILE for destination SIGNED_TO (default TO: another name tests
that the signature binds the destination). Prints the daemon's answer: the
reply object, or the refusal. Test tool of tests/lab/50-cluster.bats.
"""
import hashlib
import hmac
import json
import socket
import sys


def mac(key, nonce, direction, text):
    return hmac.new(key, (nonce + '\n' + direction + '\n' + text).encode(),
                    hashlib.sha256).hexdigest()


def main():
    if len(sys.argv) not in (7, 8):
        sys.exit(__doc__)
    frm, src, to, to_addr, keyfile, req = sys.argv[1:7]
    signed_to = sys.argv[7] if len(sys.argv) == 8 else to
    with open(keyfile, 'rb') as f:
        key = f.read()
    s = socket.create_connection((to_addr, 29001), timeout=10, source_address=(src, 0))
    f = s.makefile('rw')
    nonce = json.loads(f.readline())['nonce']
    f.write(json.dumps({'from': frm, 'req': req,
                        'mac': mac(key, nonce, 'req %s>%s' % (frm, signed_to), req)}) + '\n')
    f.flush()
    ans = json.loads(f.readline())
    if 'reply' not in ans:
        print(json.dumps(ans))
        return 1
    if ans.get('mac') != mac(key, nonce, 'reply %s>%s' % (to, frm), ans['reply']):
        print('reply not signed for this request: ' + json.dumps(ans))
        return 1
    print(ans['reply'])
    return 0


sys.exit(main())
