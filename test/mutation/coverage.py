#!/usr/bin/env python3
"""Fails when a row of the derivative rule table (pass/rules.c) has no test.

The rules test programs (test/e2e/rules_libm.c, rules_intrinsics.c) name
every differentiated function rf_*. This compiles each program to LLVM IR
at -O0 with its run.sh flags (plain clang, no plugin: the IR the pass sees
at -O0), adds its run.sh sources (.ll), and requires, for every row, inside
rf_ functions that are arguments of ct_gradient/ct_value_with_gradient:
  - each libm name of the row called (sin, sinf, exp10f, ...);
  - each intrinsic of the row called in f64 and in f32 (llvm.sin.f64 and
    llvm.sin.f32, llvm.powi.f32.i32, ...);
  - an instruction row's instruction on double and on float (fadd double,
    fadd float, ...; fpext float to double, fptrunc double to float).
Also fails when an rf_ function is never differentiated.

usage: coverage.py --rules pass/rules.c --clang CLANG --include DIR SOURCE.c...
"""
import argparse
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rules_rows  # noqa: E402

OPERATOR = re.compile(r"@__ct_(?:gradient|value_with_gradient)\(ptr(?: noundef)? @(rf_\w+)")


def run_sh_lines(src, key):
    pat = re.compile(r"^/\* run\.sh %s: (.*) \*/$" % key)
    out = []
    for line in open(src):
        m = pat.match(line.rstrip("\n"))
        if m:
            out += m.group(1).split()
    return out


def module_ir(src, clang, include):
    flags = run_sh_lines(src, "flags")
    cmd = [clang, "-O0", "-S", "-emit-llvm", "-o", "-", "-std=c17", "-I" + include] + flags + [src]
    ir = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    texts = [ir]
    for extra in run_sh_lines(src, "sources"):
        texts.append(open(os.path.join(os.path.dirname(src), extra)).read())
    return texts


def rf_bodies(ir):
    """{rf_ function name: its body text} of one module."""
    out = {}
    for m in re.finditer(r"^define [^@]*@(rf_\w+)\(.*?^\}", ir, re.M | re.S):
        out[m.group(1)] = m.group(0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", required=True)
    ap.add_argument("--clang", required=True)
    ap.add_argument("--include", required=True)
    ap.add_argument("sources", nargs="+")
    args = ap.parse_args()
    _, rows = rules_rows.parse(args.rules)

    bodies, differentiated = {}, set()
    for src in args.sources:
        for ir in module_ir(src, args.clang, args.include):
            differentiated |= set(OPERATOR.findall(ir))
            for name, body in rf_bodies(ir).items():
                bodies["%s:%s" % (os.path.basename(src), name)] = body
    problems = []
    for key in sorted(bodies):
        if key.split(":")[1] not in differentiated:
            problems.append("%s is never an argument of ct_gradient/ct_value_with_gradient" % key)
    text = "\n".join(b for k, b in bodies.items() if k.split(":")[1] in differentiated)

    def called(pattern):
        return re.search(r"call [^@\n]*@" + pattern + r"\(", text) is not None

    wanted = 0
    for row in rows:
        needs = []
        if row.opcode == "fpext":
            needs.append(("fpext float to double", r"= fpext float [^\n]* to double"))
        elif row.opcode == "fptrunc":
            needs.append(("fptrunc double to float", r"= fptrunc double [^\n]* to float"))
        elif row.opcode == "select":
            for ty in ("double", "float"):
                needs.append(("select on %s" % ty, r"= select i1 %[\w.]+, " + ty + " "))
        elif row.opcode:
            for ty in ("double", "float"):
                needs.append(("%s %s" % (row.opcode, ty), r"= %s (?:[a-z]+ )*%s " % (row.opcode, ty)))
        for name in row.names:
            if name.startswith("llvm."):
                for ty in ("f64", "f32"):
                    needs.append(("%s.%s" % (name, ty), None, re.escape(name) + r"\." + ty + r"(?:\.\w+)?"))
            else:
                needs.append((name, None, re.escape(name)))
        for need in needs:
            wanted += 1
            if len(need) == 2:
                ok = re.search(need[1], text) is not None
            else:
                ok = called(need[2])
            if not ok:
                problems.append("rules.c row '%s': %s is not differentiated by any rules test" % (row.label, need[0]))
    for p in problems:
        print("FAILED: " + p)
    print("rules coverage: %d rows, %d names/instructions required, %d missing; %d rf_ functions"
          % (len(rows), wanted, len([p for p in problems if p.startswith("rules.c")]), len(bodies)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
