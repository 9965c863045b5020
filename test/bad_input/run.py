#!/usr/bin/env python3
"""The bad-input suite's runner: compiles one case (or all of them) with
cotangent-cc at one -O level and checks the outcome the case declares.

Each case is a small program in test/bad_input/ (.c, or .cpp compiled as
C++) that says in comments what a correct tool does with it:

  // EXPECT: run                  compiles with no diagnostic at all, links,
                                  runs, exits 0 (its main checks the gradient
                                  against analytic values or central
                                  differences, see ../e2e/check.h)
  // EXPECT: compile              compiles (-c) with no diagnostic at all
  // EXPECT: error LOC "text"     the compile fails with an error at LOC whose
                                  message contains text
  // EXPECT: warning LOC "text"   a warning at LOC containing text (the
                                  compile succeeds; add `run` to also run it)
  // EXPECT: runtime-error "text" compiles and links; the program stops with
                                  a non-zero exit or abort() (no other
                                  signal) and prints text on stderr
  // EXPECT-O0: ... / EXPECT-O2: ...   at that level, these lines replace
                                  the EXPECT lines
  // FLAGS: -fopenmp              extra compiler flags
  // REQUIRES: nvptx              skipped (exit 77) without the NVPTX target
  // XFAIL: reason                known to fail today at every level;
  // XFAIL-O0: reason             ... at that level only

LOC is LINE:COL, LINE (any column), or @NAME[:COL] for the line that carries
the comment /*@NAME*/. Errors and warnings must name the case's file with
line and column (cases are compiled without -g).

Never allowed, whatever the case expects: a compiler crash (a signal, "PLEASE
submit a bug report", a stack dump, an internal error) and unexpected
diagnostics in cases that compile. A case marked XFAIL whose expectation is
not met exits 77 (ctest counts it as skipped and lists it in its summary);
one that meets its expectation fails, so that a fixed bug removes its XFAIL.

  run.py --cc CC --level O2 --out DIR [--nvptx 0|1] CASE     one case
  run.py --cc CC --out DIR --all [--levels O0 O2] [-j N]     every case,
                                                              a summary

To add a case: write the program in test/bad_input/NAME.c (the first lines
say what it checks and why that outcome is the right one; a `run` case
includes ../e2e/check.h and returns check_summary(...)), re-run cmake
(`cmake -S . -B build`) so that ctest gets bad_input.NAME.O0 and .O2, and run
`ctest -R bad_input.NAME`. The expectation is what a correct tool does, not
what this one does today: when it falls short, add an XFAIL line saying
what happens.
"""
import argparse
import concurrent.futures
import os
import re
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CRASH = re.compile(r"PLEASE submit a bug report|Stack dump:|internal error|Assertion .* failed|"
                   r"UNREACHABLE executed|frontend command failed due to signal|"
                   r"clang: error: unable to execute command")
DIAG = re.compile(r"^(.*?):(\d+):(\d+): (error|warning|fatal error): (.*)$")
DIRECTIVE = re.compile(r"//\s*(EXPECT(?:-O\d)?|FLAGS|REQUIRES|XFAIL(?:-O\d)?):\s*(.*?)\s*$")
EXPECT = re.compile(r'^(run|compile)$|^(error|warning)\s+(\S+)\s+"(.*)"$|^runtime-error\s+"(.*)"$')
SKIP = 77


class Case:
    """A case file's directives."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        self.cxx = path.endswith(".cpp")
        with open(path, encoding="utf-8") as f:
            self.lines = f.read().split("\n")
        self.expect = {}  # "" or "O0"/"O2" -> list of expectation strings
        self.xfail = {}  # "" or "O0"/... -> reason
        self.flags = []
        self.requires = []
        self.labels = {}
        for no, line in enumerate(self.lines, 1):
            for label in re.findall(r"/\*@(\w+)\*/", line):
                self.labels[label] = no
            m = DIRECTIVE.search(line)
            if not m:
                continue
            key, value = m.group(1), m.group(2)
            if key.startswith("EXPECT"):
                self.expect.setdefault(key[7:], []).append(value)
            elif key.startswith("XFAIL"):
                self.xfail[key[6:]] = value
            elif key == "FLAGS":
                self.flags += value.split()
            else:
                self.requires += value.split()

    def expectations(self, level):
        """The parsed expectations at level: a list of (kind, line, col, text)."""
        out = []
        for e in self.expect.get(level, self.expect.get("", [])):
            m = EXPECT.match(e)
            if not m:
                raise ValueError("%s: bad EXPECT line: %s" % (self.path, e))
            if m.group(1):
                out.append((m.group(1), None, None, None))
            elif m.group(5) is not None:
                out.append(("runtime-error", None, None, m.group(5)))
            else:
                line, col = self.location(m.group(3))
                out.append((m.group(2), line, col, m.group(4)))
        if not out:
            raise ValueError("%s: no EXPECT line" % self.path)
        return out

    def location(self, loc):
        parts = loc.split(":")
        if parts[0].startswith("@"):
            if parts[0][1:] not in self.labels:
                raise ValueError("%s: no /*%s*/ label" % (self.path, parts[0]))
            line = self.labels[parts[0][1:]]
        else:
            line = int(parts[0])
        return line, (int(parts[1]) if len(parts) > 1 else None)


def compile_case(case, level, args, exe):
    """Runs the compiler; returns (returncode, output)."""
    cmd = [args.cc, "-" + level, "-std=gnu++17" if case.cxx else "-std=gnu17"] + case.flags
    env = dict(os.environ)
    if case.cxx:
        env["COTANGENT_CLANG"] = args.cxx_clang
    cmd += ["-o", exe, case.path] if exe.endswith(".exe") else ["-c", "-o", exe, case.path]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=300, env=env, errors="replace")
    except subprocess.TimeoutExpired:
        return None, "compiler timed out after 300 s: " + " ".join(cmd)
    return p.returncode, " ".join(cmd) + "\n" + p.stdout


def matches(diag, kind, line, col, text, fname):
    file, dline, dcol, dkind, msg = diag
    return (os.path.basename(file) == fname and dkind.endswith(kind) and int(dline) == line
            and (col is None or int(dcol) == col) and text in msg)


def check(case, level, args):
    """Compiles (and runs) case at level; returns a list of problems, empty when
    the case behaves as it declares."""
    exps = case.expectations(level)
    kinds = {e[0] for e in exps}
    exe = os.path.join(args.out, "%s.%s.%s" % (case.name, level, "exe" if kinds & {"run", "runtime-error"}
                                               else "o"))
    rc, out = compile_case(case, level, args, exe)
    problems = []
    if rc is None or rc < 0 or rc >= 128 or CRASH.search(out):
        return ["the compiler crashed or hung (rc %s)" % rc], out
    diags = [m.groups() for m in map(DIAG.match, out.split("\n")) if m]
    fname = os.path.basename(case.path)
    for kind, line, col, text in exps:
        if kind in ("error", "warning") and not any(matches(d, kind, line, col, text, fname) for d in diags):
            problems.append('no %s at %s:%s%s containing "%s"' % (kind, fname, line,
                                                                   ":%d" % col if col else "", text))
    if "error" in kinds:
        if rc == 0:
            problems.append("the compile succeeded, an error was expected")
        return problems, out
    if rc != 0:
        return problems + ["the compile failed (exit %d)" % rc], out
    for d in diags:
        if not any(matches(d, k, ln, c, t, fname) for k, ln, c, t in exps if k == "warning"):
            problems.append("unexpected diagnostic: %s:%s:%s: %s: %s" % d)
    if problems or not kinds & {"run", "runtime-error"}:
        return problems, out
    try:
        p = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=120, errors="replace")
    except subprocess.TimeoutExpired:
        return ["the program did not finish in 120 s"], out
    out += "\n--- program stdout:\n%s--- program stderr:\n%s" % (p.stdout, p.stderr)
    if "run" in kinds and p.returncode != 0:
        problems.append("the program exited with %d" % p.returncode)
    for kind, _, _, text in exps:
        if kind == "runtime-error":
            if not (0 < p.returncode < 128 or p.returncode == -signal.SIGABRT):
                problems.append("the program exited with %d, wanted a failure with a message"
                                % p.returncode)
            if text not in p.stderr:
                problems.append('the program did not print "%s" on stderr' % text)
    return problems, out


def run_one(path, level, args):
    """Returns (status, report): status PASS, FAIL, XFAIL, XPASS or SKIP."""
    case = Case(path)
    if "nvptx" in case.requires and not args.nvptx:
        return "SKIP", "SKIPPED: %s needs the NVPTX target" % case.name
    reason = case.xfail.get(level, case.xfail.get(""))
    problems, out = check(case, level, args)
    head = "%s -%s: " % (case.name, level)
    if problems and reason:
        return "XFAIL", head + "XFAIL (%s): %s\n%s" % (reason, "; ".join(problems), out)
    if problems:
        return "FAIL", head + "FAILED: %s\n%s" % ("; ".join(problems), out)
    if reason:
        return "XPASS", head + "XPASS: passes although marked XFAIL (%s); remove the XFAIL line\n%s" % (
            reason, out)
    return "PASS", head + "ok\n" + out


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cc", required=True)
    ap.add_argument("--cxx-clang", default="/usr/lib/llvm-19/bin/clang++")
    ap.add_argument("--out", required=True)
    ap.add_argument("--nvptx", type=int, default=1)
    ap.add_argument("--level", default="O2")
    ap.add_argument("--levels", nargs="+", default=["O0", "O2"])
    ap.add_argument("--all", action="store_true")
    ap.add_argument("-j", type=int, default=os.cpu_count())
    ap.add_argument("case", nargs="?")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if not args.all:
        status, report = run_one(args.case, args.level, args)
        print(report)
        return {"PASS": 0, "XFAIL": SKIP, "SKIP": SKIP}.get(status, 1)
    cases = sorted(os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith((".c", ".cpp")))
    jobs = [(c, lv) for c in cases for lv in args.levels]
    counts = {}
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        for (c, lv), (status, report) in zip(jobs, pool.map(lambda j: run_one(j[0], j[1], args), jobs)):
            counts[status] = counts.get(status, 0) + 1
            if status != "PASS":
                print(report.split("\n")[0] if status in ("XFAIL", "SKIP") else report)
    print("bad_input: %d runs: %s" % (len(jobs), ", ".join("%d %s" % (n, s) for s, n in sorted(counts.items()))))
    return 1 if counts.get("FAIL") or counts.get("XPASS") else 0


if __name__ == "__main__":
    sys.exit(main())
