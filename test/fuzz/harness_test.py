#!/usr/bin/env python3
"""Checks that run_batch.py cannot report a pass for work it did not do,
with a stand-in compiler (a shell script that "compiles" each program into
a script printing a chosen FUZZRESULT line, or fails):
  - a failure at one level of a seed whose other levels did not run before
    --time-limit is still a failure (exit 1);
  - running no program at all is a failure;
  - a batch that skips more than 1 % of its components as non-smooth fails;
  - a program whose f is not finite fails;
  - a clean batch passes (the stand-in is sound)."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# argv: -O<L> -w -std=c17 SRC -o EXE. The behaviour is chosen by the
# environment: FAKE_FAIL="s1.c:0" fails that source at that level; FAKE_SLOW
# sleeps that long at other levels; FAKE_RESULT is the FUZZRESULT line.
FAKE_CC = r"""#!/bin/sh
level=${1#-O}
src=$4 exe=$6
case " $FAKE_FAIL " in *" $(basename "$src"):$level "*) echo "error: fake" >&2; exit 1 ;; esac
[ -n "$FAKE_SLOW" ] && sleep "$FAKE_SLOW"
status=0
case "$FAKE_RESULT" in *"fail=0 "*) ;; *) status=1 ;; esac
printf '#!/bin/sh\necho "%s"\nexit %s\n' "$FAKE_RESULT" "$status" > "$exe"
chmod +x "$exe"
"""


def run(tmp, env, seeds="1-4", extra=()):
    cc = os.path.join(tmp, "cc")
    cmd = [sys.executable, os.path.join(HERE, "run_batch.py"), "--cc", cc, "--seeds", seeds, "--levels", "0 1 2 3",
           "--out", os.path.join(tmp, "out"), "--jobs", "1", "--quiet"] + list(extra)
    p = subprocess.run(cmd, env=dict(os.environ, **env), capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def main():
    failures = 0

    def expect(what, got_rc, out, want_rc, needle=None):
        nonlocal failures
        ok = got_rc == want_rc and (needle is None or needle in out)
        print("%s: %s" % ("ok" if ok else "FAILED", what))
        if not ok:
            failures += 1
            print("  exit status %d (want %d), output:\n%s" % (got_rc, want_rc, out))

    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "cc"), "w") as f:
            f.write(FAKE_CC)
        os.chmod(os.path.join(tmp, "cc"), 0o755)
        good = "FUZZRESULT ok=10 skip=0 fail=0 nonfinite=0"
        rc, out = run(tmp, {"FAKE_RESULT": good})
        expect("a clean batch passes", rc, out, 0, "16 passed, 0 failed")
        # seed 1 fails at -O0, then each run takes 2 s: the 1 s limit stops
        # the batch with seed 1 incomplete
        rc, out = run(tmp, {"FAKE_RESULT": good, "FAKE_FAIL": "s1.c:0", "FAKE_SLOW": "2"},
                      extra=["--time-limit", "1"])
        expect("a failure of a seed cut short by --time-limit counts", rc, out, 1, "FAIL seed 1 -O0")
        rc, out = run(tmp, {"FAKE_RESULT": good}, extra=["--time-limit", "0.000001"])
        expect("no program ran: failure", rc, out, 1, "no program ran")
        rc, out = run(tmp, {"FAKE_RESULT": "FUZZRESULT ok=90 skip=2 fail=0 nonfinite=0"})
        expect("more than 1 % of the components skipped: failure", rc, out, 1, "skipped as non-smooth (more than")
        rc, out = run(tmp, {"FAKE_RESULT": "FUZZRESULT ok=0 skip=0 fail=5 nonfinite=1"})
        expect("a non-finite f: failure", rc, out, 1, "non-finite")
    print("fuzz harness: %s" % ("FAILED" if failures else "all checks passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
