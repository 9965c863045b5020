#!/usr/bin/env python3
"""run_batch.py: Cotangent's randomized differential test over a range of
seeds. For every seed it generates a program with gen.py, compiles it with
cotangent-cc at every requested optimization level, runs it, and classifies
the result:

  pass            the program exited 0 (every gradient component matched the
                  finite differences or was skipped as non-smooth)
  wrong-gradient  the program exited 1 (a component, a primal side effect or
                  a repeated call was wrong)
  non-finite      the program exited 1: f was not finite at the test point
  compile-crash   the compiler died on a signal or an internal error
  compile-error   the compiler rejected the program (exit status 1)
  crash           the program died on a signal or another exit status
  timeout         the compiler (120 s) or the program (30 s) ran too long

    run_batch.py --cc build/bin/cotangent-cc --seeds 1-25 --levels "0 1 2 3"
                 --out DIR [--failures DIR] [--jobs J] [--keep] [--cflags FLAGS]

--cflags adds compiler flags, e.g. "-fsanitize=address -g" (the fuzz.asan
test); the programs then run with ASAN_OPTIONS=detect_leaks=1:exitcode=66
unless the environment sets it, so that a sanitizer report is a crash.

Work files go to --out (sources s<SEED>.c and executables; the executables
of passing runs are deleted unless --keep). With --failures every failing
(program, level) is copied there as seed<SEED>-O<L>.c with the seed, the
level, the classification and the output in a comment header. Prints one
line per failure and the summary

  fuzz: N programs x L levels: P passed, F failed, S of C components skipped as non-smooth

and exits 1 when anything failed, when more than MAX_SKIPPED of the
components were skipped as non-smooth (each skip is a component not
checked), or when no program ran. --time-limit starts no new run after the
limit; every run that did happen counts (a failure at one level of a seed
whose other levels did not run is still a failure). Python 3 standard
library only.
"""

import argparse
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen  # noqa: E402

COMPILE_TIMEOUT = 120
RUN_TIMEOUT = 30
MAX_SKIPPED = 0.01  # of the components of a batch


def parse_seeds(spec):
    """'1-25' or '3,7,100-120' -> list of seeds"""
    seeds = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            seeds += list(range(int(a), int(b) + 1))
        else:
            seeds.append(int(part))
    return seeds


def compress(seeds):
    """1,2,3,5 -> '1-3,5'"""
    out, start, prev = [], None, None
    for s in sorted(seeds) + [None]:
        if start is not None and (s is None or s != prev + 1):
            out.append(str(start) if start == prev else "%d-%d" % (start, prev))
            start = None
        if s is not None and start is None:
            start = s
        prev = s
    return ",".join(out) or "none"


def run_one(cc, src, seed, level, out, keep, extra, deadline=None):
    """Compile and run one program at one level; returns a result dict (kind
    "not-run" when the deadline has passed)."""
    if deadline is not None and time.time() > deadline:
        return dict(seed=seed, level=level, src=src, kind="not-run", output="", ok=0, skipped=0, nonfinite=0)
    exe = os.path.join(out, "s%d-O%s" % (seed, level))
    res = dict(seed=seed, level=level, src=src, kind="pass", output="", ok=0, skipped=0, nonfinite=0)
    cmd = [cc, "-O%s" % level, "-w", "-std=c17"] + extra + [src, "-o", exe]
    t0 = time.time()
    for attempt in range(5):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
        except subprocess.TimeoutExpired:
            res.update(kind="timeout", output="compile timed out after %d s: %s" % (COMPILE_TIMEOUT, " ".join(cmd)))
            return res
        # the plugin being rebuilt under us (a concurrent `cmake --build`): retry
        if p.returncode != 0 and "unable to load plugin" in p.stderr:
            time.sleep(3)
            continue
        break
    res["compile_s"] = time.time() - t0
    if p.returncode != 0:
        text = p.stdout + p.stderr
        crashed = p.returncode < 0 or p.returncode >= 128 or "PLEASE submit a bug report" in text \
            or "Assertion" in text or "Stack dump" in text
        res.update(kind="compile-crash" if crashed else "compile-error",
                   output="$ %s\nexit status %d\n%s" % (" ".join(cmd), p.returncode, text))
        return res
    try:
        # a sanitizer's report (--cflags -fsanitize=address) is a crash, not
        # the program's exit status 1 (a wrong gradient)
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:exitcode=66")
        q = subprocess.run([exe], capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        res.update(kind="timeout", output="program timed out after %d s" % RUN_TIMEOUT)
        return res
    text = q.stdout + q.stderr
    m = re.search(r"FUZZRESULT ok=(\d+) skip=(\d+) fail=(\d+) nonfinite=(\d+)", q.stdout)
    if m:
        res["ok"], res["skipped"], res["nonfinite"] = int(m.group(1)), int(m.group(2)), int(m.group(4))
    if q.returncode == 0 and m and int(m.group(3)) == 0:
        res["output"] = text
        if not keep:
            os.remove(exe)
        return res
    if q.returncode == 1 and m:
        res.update(kind="non-finite" if res["nonfinite"] else "wrong-gradient", output=text)
    else:
        what = "signal %d" % -q.returncode if q.returncode < 0 else "exit status %d" % q.returncode
        res.update(kind="crash", output="%s\n%s" % (what, text))
    return res


def summary_line(res):
    """The line of a failure's output that says the most about it."""
    lines = res["output"].splitlines()
    pats = ["Assertion", "error:", "WRONG"]
    if res["kind"] == "compile-crash":
        pats = ["Assertion", "/pass/", "error:"]
    for pat in pats:
        for l in lines:
            if pat in l:
                return l
    return lines[0] if lines else ""


def save_failure(res, cc, faildir):
    os.makedirs(faildir, exist_ok=True)
    name = os.path.join(faildir, "seed%d-O%s.c" % (res["seed"], res["level"]))
    with open(res["src"]) as fh:
        src = fh.read()
    out = res["output"].replace("*/", "* /")
    lines = out.splitlines()
    if len(lines) > 60:
        lines = lines[:30] + ["... (%d lines left out)" % (len(lines) - 60)] + lines[-30:]
    hdr = ["/* Cotangent fuzz failure: %s" % res["kind"],
           " * seed %d, level -O%s (generated by test/fuzz/gen.py %d)" % (res["seed"], res["level"], res["seed"]),
           " * reproduce: %s -O%s %s -o t && ./t" % (cc, res["level"], os.path.basename(name)),
           " * output:"]
    hdr += [" *   " + l for l in lines]
    hdr.append(" */")
    with open(name, "w") as fh:
        fh.write("\n".join(hdr) + "\n" + src)
    return name


def main():
    ap = argparse.ArgumentParser(description="Cotangent randomized differential test over a seed range")
    ap.add_argument("--cc", required=True, help="cotangent-cc")
    ap.add_argument("--seeds", default="1-25", help="e.g. 1-25 or 3,7,100-120")
    ap.add_argument("--levels", default="0 1 2 3", help='optimization levels, e.g. "0 1 2 3"')
    ap.add_argument("--out", required=True, help="work directory")
    ap.add_argument("--failures", help="copy failing programs here")
    ap.add_argument("--jobs", type=int, default=0, help="parallel jobs (default: number of cores)")
    ap.add_argument("--keep", action="store_true", help="keep all executables")
    ap.add_argument("--quiet", action="store_true", help="only failures and the summary")
    ap.add_argument("--cflags", default="", help="extra compiler flags")
    ap.add_argument("--log", help="write one JSON line per run here")
    ap.add_argument("--time-limit", type=float, default=0,
                    help="start no new run after this many seconds; the runs done are counted")
    a = ap.parse_args()

    seeds = parse_seeds(a.seeds)
    levels = a.levels.replace(",", " ").split()
    levels = [l[2:] if l.startswith("-O") else l for l in levels]
    jobs = a.jobs or len(os.sched_getaffinity(0)) or 1
    os.makedirs(a.out, exist_ok=True)
    cc = os.path.abspath(a.cc)
    if not os.access(cc, os.X_OK):
        sys.exit("run_batch.py: no compiler at %s" % cc)

    t0 = time.time()
    srcs = {}
    for s in seeds:
        path = os.path.join(a.out, "s%d.c" % s)
        with open(path, "w") as fh:
            fh.write(gen.generate(s))
        srcs[s] = path

    results = []
    kinds = {}
    log = open(a.log, "w") if a.log else None
    deadline = t0 + a.time_limit if a.time_limit > 0 else None
    with cf.ThreadPoolExecutor(max_workers=jobs) as ex:
        futs = [ex.submit(run_one, cc, srcs[s], s, l, a.out, a.keep, a.cflags.split(), deadline)
                for s in seeds for l in levels]
        done = 0
        for fut in cf.as_completed(futs):
            res = fut.result()
            if res["kind"] == "not-run":
                continue
            results.append(res)
            if log:
                log.write(json.dumps(res) + "\n")
                log.flush()
            done += 1
            kinds[res["kind"]] = kinds.get(res["kind"], 0) + 1
            if res["kind"] != "pass":
                where = ""
                if a.failures:
                    where = " -> " + save_failure(res, cc, a.failures)
                first = summary_line(res)
                print("FAIL seed %d -O%s: %s%s%s" % (res["seed"], res["level"], res["kind"], where,
                                                     ("\n    " + first.strip()) if first else ""), flush=True)
            elif not a.quiet and done % 100 == 0:
                print("... %d/%d runs (%.0f s)" % (done, len(futs), time.time() - t0), flush=True)

    if log:
        log.close()
    # with a time limit, every run that happened counts; say what did not run
    runs = {}
    for r in results:
        runs[r["seed"]] = runs.get(r["seed"], 0) + 1
    complete = [s for s in seeds if runs.get(s, 0) == len(levels)]
    partial = [s for s in seeds if 0 < runs.get(s, 0) < len(levels)]
    if len(complete) < len(seeds):
        print("fuzz: time limit reached: %d of %d runs done; every level of %d programs (seeds %s), some levels of "
              "%d (seeds %s)" % (len(results), len(futs), len(complete), compress(complete), len(partial),
                                 compress(partial)))
    passed = sum(1 for r in results if r["kind"] == "pass")
    failed = len(results) - passed
    skipped = sum(r["skipped"] for r in results)
    components = skipped + sum(r["ok"] for r in results)
    if not a.quiet or failed:
        detail = ", ".join("%s %d" % (k, v) for k, v in sorted(kinds.items()))
        print("fuzz: %s in %.1f s with %d jobs" % (detail, time.time() - t0, jobs))
    print("fuzz: %d programs x %d levels: %d passed, %d failed, %d of %d components skipped as non-smooth"
          % (len(complete) + len(partial), len(levels), passed, failed, skipped, components))
    status = 1 if failed else 0
    if not results:
        print("fuzz: FAILED: no program ran")
        status = 1
    if skipped > MAX_SKIPPED * components:
        print("fuzz: FAILED: %d of %d components skipped as non-smooth (more than %g %%): they were not checked"
              % (skipped, components, 100 * MAX_SKIPPED))
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
