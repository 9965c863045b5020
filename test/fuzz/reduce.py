#!/usr/bin/env python3
"""reduce.py: shrinks a failing fuzz program (from test/fuzz/gen.py) while it
keeps failing the same way, to get a small reproducer of a pass bug.

    python3 test/fuzz/reduce.py --cc build/bin/cotangent-cc -O 2 FILE [-o OUT]
        [--match REGEX] [--compile-crash]

Only the part of the program before the harness is reduced (the harness
checks the gradient against finite differences and stays as it is). Passes,
repeated until nothing changes:
  - delete a statement, or a whole block (loop, if, else, function);
  - unwrap an if/else (keep one branch);
  - replace a parenthesized subexpression or a call by a constant or by one
    of its operands.
A candidate is kept when it compiles and the program's output still matches
REGEX (default: a wrong gradient or primal, 'WRONG') with exit status 1; with
--compile-crash, when the compiler still crashes (status >= 128 or 'PLEASE
submit a bug report' / 'Assertion' in its output) or its error output still
matches REGEX. Candidates are built with -ftrivial-auto-var-init=pattern so
that a deleted initialization cannot make the result depend on garbage.
Python 3 standard library only.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

MARK = "/* ---------------------------------------------------------------- harness */"


class Reducer:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix="ct-reduce-")
        self.tests = 0

    def interesting(self, src):
        self.tests += 1
        c = os.path.join(self.tmp, "r.c")
        exe = os.path.join(self.tmp, "r")
        with open(c, "w") as fh:
            fh.write(src)
        flags = ["-O%s" % self.a.O, "-w", "-ftrivial-auto-var-init=pattern", c, "-o", exe]
        try:
            p = subprocess.run([self.a.cc] + flags, capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return False
        out = p.stdout + p.stderr
        if self.a.compile_crash:
            crashed = p.returncode >= 128 or p.returncode < 0 or "PLEASE submit a bug report" in out \
                or "Assertion" in out
            if self.a.match:
                return p.returncode != 0 and re.search(self.a.match, out) is not None
            return crashed
        if p.returncode != 0:
            return False
        try:
            q = subprocess.run([exe], capture_output=True, text=True, timeout=20)
        except subprocess.TimeoutExpired:
            return False
        return q.returncode == 1 and re.search(self.a.match or "WRONG", q.stdout) is not None

    # ----------------------------------------------------------- candidates
    @staticmethod
    def block_end(lines, i):
        """Index of the line closing the block opened at the end of line i."""
        depth = 0
        for j in range(i, len(lines)):
            depth += lines[j].count("{") - lines[j].count("}")
            if depth <= 0 and j > i:
                return j
            if depth == 0 and j == i:
                return None
        return None

    def line_candidates(self, lines):
        for i in range(len(lines) - 1, -1, -1):
            s = lines[i].strip()
            if not s or s.startswith("#") or s.startswith("/*") or s.startswith("*"):
                continue
            if s.startswith("int enzyme") or s.startswith("typedef") or s.startswith("extern"):
                continue
            if s.endswith("{") and not s.startswith("}"):
                j = self.block_end(lines, i)
                if j is None:
                    continue
                # the whole block (with an else part when the closing line is '} else {')
                k = j
                while lines[k].strip() == "} else {":
                    k = self.block_end(lines, k)
                    if k is None:
                        break
                if k is not None:
                    yield lines[:i] + lines[k + 1:]
                if s.startswith("if ("):
                    if lines[j].strip() == "} else {" and k is not None:
                        # keep the then branch / the else branch
                        yield lines[:i] + ["{"] + lines[i + 1:j] + ["}"] + lines[k + 1:]
                        yield lines[:i] + ["{"] + lines[j + 1:k] + ["}"] + lines[k + 1:]
                    elif lines[j].strip() == "}":
                        yield lines[:i] + ["{"] + lines[i + 1:j] + ["}"] + lines[j + 1:]
                continue
            if s == "} else {":
                j = self.block_end(lines, i)
                if j is not None:
                    yield lines[:i] + ["}"] + lines[j + 1:]
                continue
            if s.endswith(";") and not s.startswith("return") or s.startswith("if ("):
                yield lines[:i] + lines[i + 1:]

    @staticmethod
    def groups(line):
        """(start, end) of balanced parenthesized groups, longest first."""
        out, stack = [], []
        for k, ch in enumerate(line):
            if ch == "(":
                stack.append(k)
            elif ch == ")" and stack:
                s = stack.pop()
                # include a function name in front of the group
                b = s
                while b > 0 and (line[b - 1].isalnum() or line[b - 1] == "_"):
                    b -= 1
                out.append((b, k + 1, s))
        out.sort(key=lambda t: t[0] - t[1])
        return out

    @staticmethod
    def operands(inner):
        """Top-level operands of an expression (split at , + - * / ? :)."""
        parts, depth, cur = [], 0, ""
        for ch in inner:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
            if depth == 0 and ch in ",+*/?:<>" :
                parts.append(cur)
                cur = ""
                continue
            cur += ch
        parts.append(cur)
        return [p.strip() for p in parts if p.strip() and re.search(r"[A-Za-z0-9]", p)]

    def expr_candidates(self, lines):
        for i in range(len(lines) - 1, -1, -1):
            line = lines[i]
            s = line.strip()
            if s.startswith(("for (", "while (", "static", "double f(", "int ", "#", "/*", "*")):
                continue
            for b, e, s0 in self.groups(line):
                text = line[b:e]
                head = line[b:s0]
                if head in ("if", "while", "for", "return", "sizeof"):
                    continue
                # a call to a helper with side effects must stay a call
                if re.match(r"h\d+$", head):
                    continue
                if text in ("1.1",):
                    continue
                reps = ["1.1"]
                for o in self.operands(line[s0 + 1:e - 1]):
                    simple = re.fullmatch(r"[A-Za-z_][A-Za-z_0-9]*(\[[^\[\]]*\])?|[0-9.e]+", o)
                    reps.append(o if simple else "(%s)" % o)
                for rep in reps:
                    if rep != text:
                        yield lines[:i] + [line[:b] + rep + line[e:]] + lines[i + 1:]

    def run(self, src):
        if MARK not in src:
            sys.exit("reduce.py: no harness marker in the input")
        head, harness = src.split(MARK, 1)
        harness = MARK + harness
        lines = head.split("\n")

        def whole(ls):
            return "\n".join(ls) + harness

        if not self.interesting(whole(lines)):
            sys.exit("reduce.py: the input is not failing as asked (check --match / -O)")
        changed = True
        while changed:
            changed = False
            for gen in (self.line_candidates, self.expr_candidates):
                progress = True
                while progress:
                    progress = False
                    for cand in gen(lines):
                        if self.interesting(whole(cand)):
                            lines = cand
                            progress = changed = True
                            if self.a.verbose:
                                print("reduce: %d lines (%d tests)" % (len(lines), self.tests), file=sys.stderr)
                            break
        return whole([l for l in lines])


def main():
    ap = argparse.ArgumentParser(description="shrink a failing Cotangent fuzz program")
    ap.add_argument("file")
    ap.add_argument("--cc", required=True)
    ap.add_argument("-O", default="2", help="optimization level (0-3)")
    ap.add_argument("-o", "--output", help="write the reduced program here (default: stdout)")
    ap.add_argument("--match", help="regex the output must keep matching")
    ap.add_argument("--compile-crash", action="store_true", help="reduce a compiler crash or error")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    with open(a.file) as fh:
        src = fh.read()
    out = Reducer(a).run(src)
    if a.output:
        with open(a.output, "w") as fh:
            fh.write(out)
    else:
        sys.stdout.write(out)


if __name__ == "__main__":
    main()
