#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# promtext.py [SAMPLE...]: parse Prometheus text exposition (format 0.0.4)
# from stdin, strictly: every line a "# HELP", "# TYPE" or a sample; a
# family's HELP and TYPE before its samples, its samples together, each
# family declared once; names and labels well formed; counters end in
# _total; values are numbers. Exit 1 naming the first fault. Then prints
# the value of each SAMPLE given ('name{label="v",...}' exactly as
# exposed), or "absent"; with no SAMPLE, the number of samples.
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
SAMPLE = re.compile(rf"^({NAME})(\{{(?:{LABEL}(?:,{LABEL})*)?\}})? (\S+)$")


def fail(n, line, why):
    print(f"promtext: line {n}: {why}: {line!r}", file=sys.stderr)
    sys.exit(1)


def main():
    helps, types, done, samples = {}, {}, set(), {}
    current = None
    text = sys.stdin.read()
    if not text.endswith("\n"):
        fail(0, text[-40:], "the text does not end with a newline")
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(rf"^# (HELP|TYPE) ({NAME}) (.+)$", line)
        if m:
            kind, name, rest = m.groups()
            if name in done:
                fail(n, line, f"family {name} declared again after its samples")
            table = helps if kind == "HELP" else types
            if name in table:
                fail(n, line, f"second {kind} for {name}")
            if kind == "TYPE":
                if rest not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    fail(n, line, "unknown type")
                if rest == "counter" and not name.endswith("_total"):
                    fail(n, line, "a counter's name does not end in _total")
            table[name] = rest
            if current and current != name:
                done.add(current)
            current = name
            continue
        if line.startswith("#"):
            fail(n, line, "a comment that is neither HELP nor TYPE")
        m = SAMPLE.match(line)
        if not m:
            fail(n, line, "not a sample line")
        name, labels, value = m.groups()
        if name not in types or name not in helps:
            fail(n, line, "sample before its family's HELP and TYPE")
        if name != current:
            fail(n, line, f"sample of {name} outside its family's block")
        try:
            float(value)
        except ValueError:
            fail(n, line, "value is not a number")
        key = name + (labels or "")
        if key in samples:
            fail(n, line, "the same sample twice")
        samples[key] = value
    if not sys.argv[1:]:
        print(len(samples))
    for want in sys.argv[1:]:
        print(samples.get(want, "absent"))


main()
