#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that each range of clp.conf is the one of the UAPI headers.

A range lives in netlink/uapi/clpstack/*.h. The RELAX NG schemas
(userland/conf/*.rng) state it next to the element it bounds, as an
annotation that libxml2 ignores:

    <clp:range min="1" max="50" consts="LISCAL_PING_RETRY_MIN LISCAL_PING_RETRY_MAX"
               files="userland/lib/clp_md.c kernel/liscal/liscal_nl.c"/>

(namespace urn:clpstack:limits; key="name" when it bounds a child of an
element that accepts any child). For each annotation:
 - the two constant expressions (names of the headers, + - * /) evaluate to
   min and max;
 - every file listed uses each constant named;
 - a call in those files that checks the key ("key", MIN, MAX, ...) has
   exactly those expressions as its bounds, not numbers.
The schemas do not enforce the ranges themselves: userland/lib/clp_md.c
does, so that the message names the file, line, key and range (libxml2's
would say "failed to validate content"). Prints each mismatch; exit 1 when
there is any.

usage: check-limits.py REPO
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from importlib import import_module  # noqa: E402

header_constants = import_module('check-uapi').header_constants

RNG = '{http://relaxng.org/ns/structure/1.0}'
CLP = '{urn:clpstack:limits}'


def defines(text, consts):
    """#define'd integer expressions (1 << 20, LISCAL_X / 1024, ...)."""
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    for m in re.finditer(r'^#define\s+(\w+)\s+(.+?)\s*$', text, re.M):
        expr = re.sub(r'(?<=\d)[uUlL]+\b', '', m.group(2))
        if re.fullmatch(r'[\w\s+\-*/()<>|]+', expr):
            try:
                consts[m.group(1)] = eval(expr.replace('/', '//'),
                                          {'__builtins__': {}}, dict(consts))
            except Exception:
                pass


def evaluate(expr, consts):
    names = re.findall(r'[A-Za-z_]\w*', expr)
    missing = [n for n in names if n not in consts]
    if missing or not names or re.search(r'[^\w\s+\-*/()]', expr):
        return None, missing
    return eval(expr.replace('/', '//'), {'__builtins__': {}}, consts), []


def bounds_in(text, key):
    """(min, max) expressions of each call checking "key" in C text."""
    return re.findall(r'\b(?:get_int|clp_conf_int|parse_ms)\([^;"]*"(?:[^"]*/)?%s",'
                      r'\s*([^,]+?),\s*([^,]+?),' % re.escape(key), text)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    repo = sys.argv[1]
    consts = {}
    for h in sorted(glob.glob(os.path.join(repo, 'netlink/uapi/clpstack/*.h'))):
        with open(h) as f:
            text = f.read()
        consts.update(header_constants(text))
        defines(text, consts)
    errors = []
    n = 0
    for rng in sorted(glob.glob(os.path.join(repo, 'userland/conf/*.rng'))):
        tree = ET.parse(rng)
        parents = {c: p for p in tree.iter() for c in p}
        for r in tree.iter(CLP + 'range'):
            n += 1
            el = parents[r]
            key = r.get('key') or el.get('name')
            where = '%s: %s' % (os.path.basename(rng), key)
            if el.tag != RNG + 'element' or not key:
                errors.append('%s: clp:range outside a named element' % where)
                continue
            try:
                lo, hi = int(r.get('min')), int(r.get('max'))
                lo_e, hi_e = r.get('consts').split()
            except (TypeError, ValueError, AttributeError):
                errors.append('%s: clp:range needs min, max and two consts' % where)
                continue
            for want, expr in ((lo, lo_e), (hi, hi_e)):
                got, missing = evaluate(expr, consts)
                if missing:
                    errors.append('%s: %s not in the UAPI headers' % (where, ', '.join(missing)))
                elif got is None:
                    errors.append('%s: cannot evaluate %s' % (where, expr))
                elif got != want:
                    errors.append('%s: the schema says %d, %s is %d' % (where, want, expr, got))
            for path in (r.get('files') or '').split():
                try:
                    with open(os.path.join(repo, path)) as f:
                        text = f.read()
                except OSError:
                    errors.append('%s: no file %s' % (where, path))
                    continue
                for name in set(re.findall(r'[A-Za-z_]\w*', lo_e + ' ' + hi_e)):
                    if not re.search(r'\b%s\b' % name, text):
                        errors.append('%s: %s does not use %s' % (where, path, name))
                for b in bounds_in(text, key):
                    if [re.sub(r'\s', '', x) for x in b] != [lo_e, hi_e]:
                        errors.append('%s: %s checks %s..%s, not %s..%s'
                                      % (where, path, b[0], b[1], lo_e, hi_e))
    for e in errors:
        print(e)
    print('%d ranges checked, %d mismatches' % (n, len(errors)))
    return 1 if errors or not n else 0


if __name__ == '__main__':
    sys.exit(main())
