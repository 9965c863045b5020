#!/usr/bin/env python3
"""Rules mutation run: breaks each row of the derivative rule table
(pass/rules.c) on purpose, one mutant at a time, rebuilds the plugin in a
scratch directory and runs tests against it; a mutant is killed when the
tests fail. Prints each survivor and the mutation score.

Mutants of each operand's adjoint expression (reverse Polish, pass/rules.h):
  sign      the whole contribution negated (or its leading neg dropped)
  negdropN  the N-th inner neg dropped (a sign dropped inside)
  conjdropN the N-th complex conjugate dropped (complex rows)
  constN    the N-th numeric constant c changed to c * 1.0001 (0 to 1e-4)
  double    the contribution doubled
  drop      no contribution (the expression replaced by NULL)
  swap      operands a and b exchanged
  selN-then, selN-else   the N-th select replaced by one arm (a guard or a
            case dropped)
  tie       at a tie of r with this operand, this operand also gets the
            adjoint ("r X feq d 0 sel": fmin/fmax ties doubled)
  spurious  a NULL (no adjoint) replaced by "d"
Mutant ids are ROW/OPERAND/KIND (e.g. exp10/0/const1, fmax/1/tie).

The scratch plugin is built from the configured build's objects with a
mutated copy of that build's source tree's pass/rules.c (seconds per
mutant) and used through COTANGENT_PLUGIN (bin/cotangent-cc and the lit
tests honour it). The tests are the build's: --build DIR of another
checkout (e.g. one of an older commit) measures that checkout's tests.

usage: mutate_rules.py [--build DIR] [--suite rules|ctest] [--levels "0 1 2 3"]
                       [--ctest-args ARGS] [--only ID,ID...] [--list] [--require-all]
  --suite rules  (default) the rules test programs, test/e2e/rules_*.c, at
                 each level, stopping at the first failure
  --suite ctest  ctest in the build directory (e.g. --ctest-args
                 "-E ^(e2e\\.rules_|rules\\.)" for the suite without the rules tests)
"""
import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import rules_rows  # noqa: E402

ARITY = {"+": 2, "-": 2, "*": 2, "/": 2, "feq": 2, "pow": 2, "copysign": 2, "ldexp": 2,
         "neg": 1, "sqrt": 1, "sin": 1, "cos": 1, "exp": 1, "log": 1, "sinh": 1, "cosh": 1,
         "abs": 1, "trunc": 1, "roundeven": 1, "itof": 1, "inc": 1, "dec": 1, "j0": 1, "j1": 1,
         "y0": 1, "y1": 1, "jn": 2, "yn": 2, "digamma": 1, "conj": 1, "muli": 1, "norm": 1, "sel": 3, "powm1": 3}

# Operands that are integers or pointers (an exponent, a Bessel order, an
# out-parameter): no "spurious" adjoint for them (it is never emitted), and
# no swap with a floating-point operand.
NOT_FP = {"llvm.powi": {1}, "ldexp": {1}, "frexp": {1}, "modf": {1}, "remquo": {2}, "lgamma_r": {1},
          "jn": {0}, "yn": {0}}


def not_fp(row):
    return set().union(*[NOT_FP.get(n, set()) for n in row.names])


def is_number(tok):
    return re.match(r"^-?(\d|\.\d)", tok) is not None


# ---- expressions as trees: (token, [children]) ----

def parse_rpn(expr):
    stack = []
    for tok in expr.split():
        n = ARITY.get(tok, 0)
        args = stack[len(stack) - n:] if n else []
        del stack[len(stack) - n:]
        stack.append((tok, args))
    assert len(stack) == 1, "not one expression: %r" % expr
    return stack[0]


def rpn(node):
    tok, args = node
    return " ".join([rpn(a) for a in args] + [tok])


def nodes(node, path=()):
    """(path, node) for every node, depth first, left to right."""
    yield path, node
    for i, a in enumerate(node[1]):
        yield from nodes(a, path + (i,))


def replace(node, path, new):
    if not path:
        return new
    tok, args = node
    args = list(args)
    args[path[0]] = replace(args[path[0]], path[1:], new)
    return (tok, args)


def number(c):
    return repr(float(c))


def expression_mutants(expr, operand, nops, swappable):
    """[(kind, new expression or None)] for one operand's adjoint; swappable:
    operands a and b are both floating-point."""
    out = []
    tree = parse_rpn(expr)
    out.append(("sign", rpn(tree[1][0]) if tree[0] == "neg" else rpn(("neg", [tree]))))
    k = 0
    for path, n in nodes(tree):
        if n[0] == "neg" and path:
            k += 1
            out.append(("negdrop%d" % k, rpn(replace(tree, path, n[1][0]))))
    k = 0
    for path, n in nodes(tree):
        if n[0] == "conj":
            k += 1
            out.append(("conjdrop%d" % k, rpn(replace(tree, path, n[1][0]))))
    k = 0
    for path, n in nodes(tree):
        if is_number(n[0]):
            k += 1
            c = float(n[0])
            out.append(("const%d" % k, rpn(replace(tree, path, (number(c * 1.0001 if c else 1e-4), [])))))
    out.append(("double", rpn(("*", [tree, ("2", [])]))))
    out.append(("drop", None))
    if swappable:
        swapped = " ".join({"a": "b", "b": "a"}.get(t, t) for t in expr.split())
        if swapped != expr:
            out.append(("swap", swapped))
    k = 0
    for path, n in nodes(tree):
        if n[0] == "sel":
            k += 1
            out.append(("sel%d-then" % k, rpn(replace(tree, path, n[1][1]))))
            out.append(("sel%d-else" % k, rpn(replace(tree, path, n[1][2]))))
    letter = "abc"[operand]
    if re.match(r"^r [abc] feq ", expr):
        tie = "r %s feq d 0 sel" % letter
        if tie != expr:
            out.append(("tie", tie))
    seen, unique = set(), []
    for kind, e in out:
        if e != expr and e not in seen:
            seen.add(e)
            unique.append((kind, e))
    return unique


def mutants(rows):
    """[(id, row index, operand, new expression or None)]"""
    out = []
    for ri, row in enumerate(rows):
        for op, expr in enumerate(row.adjoints):
            if row.spans[op] is None:
                continue
            if expr is None:
                integer = (row.opcode == "select" and op == 0) or op in not_fp(row)
                if not integer:
                    out.append(("%s/%d/spurious" % (row.label, op), ri, op, "d"))
                continue
            swappable = row.nops >= 2 and row.opcode != "select" and not not_fp(row) & {0, 1}
            for kind, e in expression_mutants(expr, op, row.nops, swappable):
                out.append(("%s/%d/%s" % (row.label, op, kind), ri, op, e))
    return out


def mutated_source(src, rows, ri, op, expr):
    start, end = rows[ri].spans[op]
    return src[:start] + ('"%s"' % expr if expr is not None else "NULL") + src[end:]


# ---- building the scratch plugin ----

def source_dir(build):
    """The source tree of a configured build directory."""
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith("CMAKE_HOME_DIRECTORY:"):
                return line.split("=", 1)[1].strip()
    raise SystemExit("%s/CMakeCache.txt names no source directory" % build)


class Plugin:
    """Compiles a rules.c and links it with the build's other plugin objects."""

    def __init__(self, build, source, scratch):
        self.build, self.scratch = build, scratch
        cmds = subprocess.run(["ninja", "-C", build, "-t", "commands", "lib/libcotangent.so"], check=True,
                              capture_output=True, text=True).stdout.splitlines()
        compile_cmd = [c for c in cmds if "-c " in c and c.rstrip().endswith("/pass/rules.c")]
        link_cmd = [c for c in cmds if "-o lib/libcotangent.so" in c]
        if len(compile_cmd) != 1 or len(link_cmd) != 1:
            raise SystemExit("cannot find the commands that build lib/libcotangent.so in %s" % build)
        self.rules_c = os.path.join(scratch, "rules.c")
        obj = os.path.join(scratch, "rules.c.o")
        cc = compile_cmd[0].split()
        cc = [a for a in cc[:cc.index("-MD")] + cc[cc.index("-o"):]]
        cc[cc.index("-o") + 1] = obj
        cc[-1] = self.rules_c
        self.compile = cc + ["-I" + os.path.join(source, "pass")]
        link = link_cmd[0].split("&&", 1)[1].strip() if "&&" in link_cmd[0] else link_cmd[0]
        link = link.split(" && ")[0]
        self.path = os.path.join(scratch, "libcotangent.so")
        link = link.replace("pass/CMakeFiles/cotangent.dir/rules.c.o", obj).replace(
            "-o lib/libcotangent.so", "-o " + self.path)
        self.link = link
        # the plugin finds the attribute frontend, the runtimes' bitcode, ...
        # next to itself: the build's, through links
        lib = os.path.join(os.path.abspath(build), "lib")
        for name in os.listdir(lib):
            link = os.path.join(scratch, name)
            if not name.startswith("libcotangent.so") and not os.path.lexists(link):
                os.symlink(os.path.join(lib, name), link)

    def make(self, source):
        with open(self.rules_c, "w") as f:
            f.write(source)
        r = subprocess.run(self.compile, cwd=self.build, capture_output=True, text=True)
        if r.returncode == 0:
            r = subprocess.run(self.link, shell=True, cwd=self.build, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("building the scratch plugin failed:\n" + r.stdout + r.stderr)


# ---- the tests ----

def run_rules_suite(source, cc, levels, out, env):
    """The rules test programs at each level; False at the first failure."""
    for level in levels:
        for prog in ("rules_libm", "rules_intrinsics"):
            src = os.path.join(source, "test", "e2e", prog + ".c")
            r = subprocess.run(["sh", os.path.join(source, "test", "e2e", "run.sh"), cc, src, "-O" + level, out],
                               env=env, capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                return False, "%s -O%s" % (prog, level)
    return True, ""


def run_ctest(build, args, env):
    r = subprocess.run(["ctest", "--stop-on-failure", "-j%d" % (os.cpu_count() or 1)] + args, cwd=build,
                       env=env, capture_output=True, text=True)
    if r.returncode == 0:
        return True, ""
    failed = re.findall(r"^\s*\d+ - (\S+) \(", r.stdout, re.M)
    return False, ", ".join(failed[:3]) or "ctest failed"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--scratch", help="scratch directory (default: a new temporary one, removed after)")
    ap.add_argument("--suite", choices=("rules", "ctest"), default="rules")
    ap.add_argument("--levels", default="0 1 2 3")
    ap.add_argument("--ctest-args", default="")
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--list", action="store_true", help="list the mutant ids and exit")
    ap.add_argument("--require-all", action="store_true", help="exit non-zero when a mutant survives")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    if not os.path.exists(os.path.join(build, "build.ninja")) or not shutil.which("ninja"):
        print("SKIPPED: the mutation run rebuilds the plugin from a Ninja build (%s has none)" % build)
        return 77
    source = source_dir(build)
    src, rows = rules_rows.parse(os.path.join(source, "pass", "rules.c"))
    todo = mutants(rows)
    if args.list:
        for mid, ri, op, e in todo:
            print("%-28s %s" % (mid, e))
        return 0
    if args.only:
        want = args.only.split(",")
        unknown = [w for w in want if w not in {m[0] for m in todo}]
        if unknown:
            raise SystemExit("unknown mutant ids: " + ", ".join(unknown))
        todo = [m for m in todo if m[0] in want]

    scratch = args.scratch or tempfile.mkdtemp(prefix="ct-mutate-")
    os.makedirs(scratch, exist_ok=True)
    try:
        plugin = Plugin(build, source, scratch)
        env = dict(os.environ, COTANGENT_PLUGIN=plugin.path)
        cc = os.path.join(build, "bin", "cotangent-cc")
        out = os.path.join(scratch, "out")

        def check():
            if args.suite == "rules":
                return run_rules_suite(source, cc, args.levels.split(), out, env)
            return run_ctest(build, shlex.split(args.ctest_args), env)

        # the unmutated table must pass, or every mutant would look killed
        plugin.make(src)
        ok, why = check()
        if not ok:
            print("the tests fail without a mutant (%s): no mutation score" % why)
            return 2
        survivors, t0 = [], time.time()
        for i, (mid, ri, op, e) in enumerate(todo):
            plugin.make(mutated_source(src, rows, ri, op, e))
            ok, why = check()
            print("[%d/%d] %-28s %s" % (i + 1, len(todo), mid, "SURVIVED" if ok else "killed by " + why),
                  flush=True)
            if ok:
                survivors.append((mid, e))
        killed = len(todo) - len(survivors)
        print("\nmutation score: %d of %d mutants killed (%.1f %%), %.0f s"
              % (killed, len(todo), 100.0 * killed / max(len(todo), 1), time.time() - t0))
        for mid, e in survivors:
            print("  survived: %-28s %s" % (mid, e if e is not None else "NULL"))
        return 1 if survivors and args.require_all else 0
    finally:
        if not args.scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
