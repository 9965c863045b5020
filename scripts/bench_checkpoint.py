"""scripts/bench --checkpoint: memory against time of checkpointed loops.

The n-body benchmark (benchmarks/nbody_long.c: 3 bodies, RK4, 100,000
steps at full size, 20,000 with --quick) run taped and with
CT_CHECKPOINT_LOOP(s) for a range of snapshot counts s, as a counted for
loop and as a while loop (whose trip count is known only when it ends);
for each, the peak tape of one gradient (ct_tape_peak_bytes) and the
gradient time over the primal time, with Revolve's predicted number of
runs of each step (the most runs of one step for the counted loop, one
more for the while loop). Prints a table; --plot draws peak tape (x, log)
against the gradient's time (y, log) with gnuplot, each point labelled with
its snapshot count (the README's plot, benchmarks/checkpointing.svg).

Standard library only; imported by scripts/bench.
"""

import os
import shutil
import subprocess
import sys
import tempfile

SNAPSHOTS = [4, 8, 16, 32, 64, 256, 1024]


def repetitions(k, s):
    """The smallest r with C(s + r, s) >= k (Revolve's repetition number)."""
    r, v = 0, 1
    while v < k:
        r += 1
        v = v * (s + r) // r
    return r


def run(exe, base_args, steps, timeout, run_binary, progress):
    """Runs the taped benchmark and each (loop kind, snapshots); returns the rows."""
    cases = [("taped", "plain", None)]
    for kind in ("ckpt", "while"):
        for s in SNAPSHOTS:
            cases.append(("for" if kind == "ckpt" else "while", kind, s))
    rows = []
    for i, (kind, impl, s) in enumerate(cases):
        progress.show("bench --checkpoint: [%d/%d] %s%s" % (i + 1, len(cases), kind,
                                                             "" if s is None else " s=%d" % s))
        args = base_args + ["name=nbody_long_" + impl, "impl=" + impl]
        if s is not None:
            args.append("snaps=%d" % s)
        res, err = run_binary(exe, args, timeout)
        row = {"kind": kind, "snapshots": s, "steps": steps, "error": err}
        if res and not err:
            row.update({"primal_s": res["primal_min"], "gradient_s": res["gradient_min"],
                        "ratio": res["gradient_min"] / res["primal_min"] if res["primal_min"] else None,
                        "tape_bytes": res["tape_bytes"]})
        if s is not None:
            row["predicted_runs"] = repetitions(steps, s) + 1 + (kind == "while")
        rows.append(row)
    progress.done()
    return rows


def print_rows(rows, out):
    out.write("%-6s %9s %12s %11s %9s %16s\n" % ("loop", "snapshots", "peak tape", "gradient", "grad/pri",
                                                  "runs/step (pred.)"))
    for r in rows:
        if r.get("error"):
            out.write("%-6s %9s  FAILED: %s\n" % (r["kind"], r["snapshots"] or "-", r["error"]))
            continue
        out.write("%-6s %9s %12s %10.3fs %9.1f %16s\n" % (
            r["kind"], r["snapshots"] or "-", "%.1f KiB" % (r["tape_bytes"] / 1024.0), r["gradient_s"], r["ratio"],
            r.get("predicted_runs", 1)))


def plot(rows, path, title):
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        sys.stderr.write("bench: gnuplot not found (Debian package gnuplot-nox, installed by scripts/setup); "
                         "skipping the plot %s\n" % path)
        return False
    ok = [r for r in rows if not r.get("error") and r.get("ratio")]
    if not ok:
        sys.stderr.write("bench: nothing to plot; skipping %s\n" % path)
        return False
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for kind in ("for", "while", "taped"):
            files[kind] = os.path.join(tmp, kind + ".dat")
            with open(files[kind], "w") as f:
                f.write("# tape_kib ratio label\n")
                for r in ok:
                    if r["kind"] == kind:
                        label = "taped" if kind == "taped" else "%d" % r["snapshots"]
                        f.write("%.6g %.6g \"%s\"\n" % (r["tape_bytes"] / 1024.0, 1000.0 * r["gradient_s"], label))
        script = "\n".join([
            "set terminal svg size 900,520 dynamic enhanced font 'sans,11' background rgb 'white'",
            "set output '%s'" % path.replace("'", "''"),
            "set title '%s'" % title.replace("'", "''"),
            "set logscale x 2",
            "set logscale y 2",
            "set xlabel 'peak tape of one gradient (KiB, log scale)'",
            "set ylabel 'time of one gradient (ms, log scale)'",
            "set grid xtics ytics",
            "set key top right",
            "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05",
            "plot '%s' using 1:2 with linespoints pt 7 ps 0.9 lc rgb '#3060c0' "
            "title 'CT\\_CHECKPOINT\\_LOOP(s), for loop', "
            "'' using 1:2:3 with labels offset 0,0.9 font 'sans,9' tc rgb '#3060c0' notitle, "
            "'%s' using 1:2 with linespoints pt 5 ps 0.9 lc rgb '#e08030' "
            "title 'CT\\_CHECKPOINT\\_LOOP(s), while loop', "
            "'' using 1:2:3 with labels offset 0,-0.9 font 'sans,9' tc rgb '#e08030' notitle, "
            "'%s' using 1:2 with points pt 9 ps 1.4 lc rgb '#50a050' title 'taped (no checkpointing)'"
            % (files["for"], files["while"], files["taped"]),
            ""])
        r = subprocess.run([gnuplot], input=script, universal_newlines=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            sys.stderr.write("bench: gnuplot failed:\n%s\n" % r.stderr)
            return False
    return True


def steps_of(mode):
    return {"smoke": 100, "quick": 20000, "full": 100000}[mode]
