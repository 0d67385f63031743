#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check that each netlink/<family>.yaml spec and its UAPI header agree.

For every attribute set, each attribute must exist in the header under one
of the names YNL would give it (FAMILY_A_ATTR, FAMILY_A_SET_ATTR, ...) with
the value the spec implies (position from 1, or an explicit `value:`);
likewise every operation as FAMILY_CMD_OP. For liscal and clpka, each
operation's policy in the kernel source must hold exactly the request
attributes of the spec (KERNEL_POLICIES). Prints each mismatch; exit 1
when there is any.

usage: check-uapi.py NETLINK_DIR
"""
import os
import re
import sys

import yaml


def c_name(s):
    return re.sub(r'[^A-Za-z0-9]', '_', s).upper()


def header_constants(text):
    """Values of enum members and #define'd integers in a C header."""
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    text = re.sub(r'//[^\n]*', '', text)
    consts = {}
    for m in re.finditer(r'#define\s+(\w+)\s+\(?(-?(?:0x[0-9a-fA-F]+|\d+))[uUlL]*\)?\s*$',
                         text, re.M):
        consts[m.group(1)] = int(m.group(2), 0)
    for body in re.findall(r'enum\s*\w*\s*\{(.*?)\}', text, re.S):
        nxt = 0
        for item in body.split(','):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition('=')
            name = name.strip()
            if expr.strip():
                try:
                    nxt = eval(expr.strip(), {'__builtins__': {}}, dict(consts))
                except Exception:
                    nxt = None
            if nxt is not None:
                consts[name] = nxt
                nxt += 1
    return consts


def check_family(spec_path, uapi_dir):
    errors = []
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    fam = spec['name']
    F = c_name(fam)
    hdr = os.path.join(uapi_dir, fam + '.h')
    if not os.path.exists(hdr):
        return ['%s: no header %s' % (spec_path, hdr)]
    with open(hdr) as f:
        consts = header_constants(f.read())

    def expect(cands, value, what):
        for c in cands:
            if c in consts:
                if consts[c] != value:
                    errors.append('%s: %s is %d in %s, the spec says %d'
                                  % (fam, c, consts[c], os.path.basename(hdr), value))
                return
        errors.append('%s: %s missing from %s (looked for %s)'
                      % (fam, what, os.path.basename(hdr), ', '.join(cands)))

    for aset in spec.get('attribute-sets', []):
        S = c_name(aset['name'])
        val = 1
        for attr in aset.get('attributes', []):
            if 'value' in attr:
                val = attr['value']
            A = c_name(attr['name'])
            cands = ['%s_A_%s' % (F, A), '%s_A_%s_%s' % (F, S, A),
                     '%s_%s_A_%s' % (F, S, A), '%s_A_%s' % (S, A)]
            if S == F:
                cands = cands[:1] + cands[1:]
            expect(cands, val, 'attribute %s/%s' % (aset['name'], attr['name']))
            val += 1
    val = 1
    for op in spec.get('operations', {}).get('list', []):
        if 'value' in op:
            val = op['value']
        expect(['%s_CMD_%s' % (F, c_name(op['name']))], val, 'operation ' + op['name'])
        val += 1
    return errors


# Kernel sources whose per-command policies must accept exactly the
# request attributes of the spec (an attribute a command does not take is
# refused by the kernel, not ignored).
KERNEL_POLICIES = {
    'liscal': 'kernel/liscal/liscal_nl.c',
    'clpka': 'kernel/clpka/ka_nl.c',
}


def kernel_requests(fam, text):
    """{operation constant: set of attribute constants} the kernel takes."""
    F = c_name(fam)
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    reqs = {}
    table = re.search(r'liscal_nl_reqs\[\] = \{(.*?)\n\};', text, re.S)
    if table:
        params = re.search(r'liscal_nl_param_attrs\[\] = \{(.*?)\};', text, re.S)
        params = set(re.findall(r'%s_A_\w+' % F, params.group(1))) if params else set()
        for m in re.finditer(r'\{\s*(%s_CMD_\w+),\s*(true|false),\s*([^,]+?),\s*\{([^}]*)\}\s*\}'
                             % F, table.group(1)):
            attrs = set(re.findall(r'%s_A_\w+' % F, m.group(4)))
            if m.group(2) == 'true':
                attrs |= params
            if m.group(3).strip() != '0':
                attrs.add('%s_A_FLAGS' % F)
            reqs[m.group(1)] = attrs
        return reqs
    policies = {m.group(1): set(re.findall(r'\[(%s_A_\w+)\]' % F, m.group(2)))
                for m in re.finditer(r'nla_policy (\w+)\[[^]]*\] = \{(.*?)\};', text, re.S)}
    for m in re.finditer(r'\.cmd = (%s_CMD_\w+),(.*?)\}' % F, text, re.S):
        pol = re.search(r'\.policy = (\w+)', m.group(2))
        reqs[m.group(1)] = policies.get(pol.group(1), set()) if pol else None
    return reqs


def check_kernel(spec_path, repo):
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    fam = spec['name']
    if fam not in KERNEL_POLICIES:
        return []
    F = c_name(fam)
    with open(os.path.join(repo, KERNEL_POLICIES[fam])) as f:
        reqs = kernel_requests(fam, f.read())
    errors = []
    for op in spec.get('operations', {}).get('list', []):
        if 'do' not in op:
            continue
        cmd = '%s_CMD_%s' % (F, c_name(op['name']))
        want = {'%s_A_%s' % (F, c_name(a))
                for a in (op['do'].get('request') or {}).get('attributes', [])}
        got = reqs.get(cmd)
        if got is None:
            errors.append('%s: %s has no policy of its own in %s' % (fam, cmd, KERNEL_POLICIES[fam]))
        elif got != want:
            errors.append('%s: %s takes %s in %s, the spec says %s'
                          % (fam, cmd, sorted(got), KERNEL_POLICIES[fam], sorted(want)))
    return errors


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    nl = sys.argv[1]
    errors = []
    specs = sorted(p for p in os.listdir(nl) if p.endswith('.yaml'))
    for p in specs:
        errors += check_family(os.path.join(nl, p), os.path.join(nl, 'uapi', 'clpstack'))
        errors += check_kernel(os.path.join(nl, p), os.path.join(nl, '..'))
    for e in errors:
        print(e)
    print('%d specs checked, %d mismatches' % (len(specs), len(errors)))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
