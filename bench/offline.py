#!/usr/bin/env python3
"""Offline check of full-HKLM exports, as whole processes, against iconv.

    offline.py TLSWARD POLICY.yaml WORKDIR [--sizes 1,5,20,100] [--repeats N]
               [--regfile REAL.reg]

For each size (MB) an export is generated (gen-export.py, kept in WORKDIR)
and two commands run as a user runs them, interleaved, REPEATS times each:
    tlsward check --policy POLICY.yaml --registry EXPORT.reg
    iconv -f UTF-16LE -t UTF-8 EXPORT.reg            (the baseline)
Each run's wall time and CPU time (user + system, from wait4) are kept; the
medians and their ratios are printed as rows of bench/run.sh's table:
    ROW <tab> figure <tab> value <tab> baseline <tab> ratio <tab> goal <tab> verdict
with --instructions, the instructions both execute at 5 MB (callgrind),
and the growth per MB across the sizes (linear: the cost per MB at the
largest size within 1.5x of that at the smallest). tlsward must exit 0 or 1
(compliant or remediable); anything else is an error.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    """Runs cmd with stdout to /dev/null; returns (exit code, wall s, cpu s)."""
    with open(os.devnull, "wb") as null:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=null, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
        err = p.stderr.read()
        p.stderr.close()
        p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):
        sys.exit("offline.py: %s exited %d: %s" % (
            " ".join(cmd), p.returncode, err.decode(errors="replace")[:500]))
    return p.returncode, t1 - t0, ru.ru_utime + ru.ru_stime


def instructions(cmd):
    """Instructions cmd executes, counted by callgrind (user space only:
    the page faults a large heap costs in the kernel are not in it)."""
    out = subprocess.run(["valgrind", "--tool=callgrind",
                          "--callgrind-out-file=/dev/null"] + cmd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         check=False).stderr.decode(errors="replace")
    m = re.search(r"Collected : (\d+)", out)
    return int(m.group(1)) if m else 0


def row(*cells):
    print("ROW\t" + "\t".join(cells), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tlsward")
    ap.add_argument("policy")
    ap.add_argument("workdir")
    ap.add_argument("--sizes", default="1,5,20,100")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--regfile", default="")
    ap.add_argument("--instructions", action="store_true",
                    help="also count instructions with callgrind at 5 MB")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    exports = []
    for mb in [float(s) for s in a.sizes.split(",")]:
        path = os.path.join(a.workdir, "hklm-%gMB.reg" % mb)
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(HERE, "gen-export.py"),
                            path + ".tmp", str(mb)], check=True)
            os.replace(path + ".tmp", path)
        exports.append(("generated %g MB" % mb, path))
    if a.regfile:
        exports.append(("real export %s" % os.path.basename(a.regfile),
                        a.regfile))
    per_mb = []
    for label, path in exports:
        size_mb = os.path.getsize(path) / 1e6
        tl = [a.tlsward, "check", "--policy", a.policy, "--registry", path]
        ic = ["iconv", "-f", "UTF-16LE", "-t", "UTF-8", path]
        rc, _, _ = run(tl)  # warm the page cache for both
        run(ic)
        tw, tc, bw, bc = [], [], [], []
        for i in range(a.repeats):
            # Alternate which goes first, so neither always follows the
            # other's cache state.
            pair = [(tl, tw, tc), (ic, bw, bc)]
            for cmd, walls, cpus in (pair if i % 2 == 0 else pair[::-1]):
                _, w, c = run(cmd)
                walls.append(w)
                cpus.append(c)
        mw, mc = statistics.median(tw), statistics.median(tc)
        bmw, bmc = statistics.median(bw), statistics.median(bc)
        ratio = mw / bmw if bmw > 0 else float("inf")
        row("offline check, %s (%.1f MB, exit %d), wall" % (label, size_mb, rc),
            "%.1f ms" % (mw * 1e3), "iconv %.1f ms" % (bmw * 1e3),
            "%.1fx" % ratio, "<= 2x", "met" if ratio <= 2 else "missed")
        cratio = mc / bmc if bmc > 0 else float("inf")
        row("offline check, %s, CPU (user+sys)" % label,
            "%.1f ms" % (mc * 1e3), "iconv %.1f ms" % (bmc * 1e3),
            "%.1fx" % cratio, "<= 2x", "met" if cratio <= 2 else "missed")
        if label.startswith("generated"):
            per_mb.append((size_mb, mc / size_mb, mw / size_mb))
        if a.instructions and abs(size_mb - 5) < 0.5 and shutil.which("valgrind"):
            it, ii = instructions(tl), instructions(ic)
            if it and ii:
                row("offline check, %s, instructions (callgrind)" % label,
                    "%.0f M" % (it / 1e6), "iconv %.0f M" % (ii / 1e6),
                    "%.1fx" % (it / ii), "(reported)", "-")
    if len(per_mb) >= 2:
        (s0, c0, w0), (s1, c1, w1) = per_mb[0], per_mb[-1]
        growth = c1 / c0
        row("offline check, CPU per MB at %.0f MB vs at %.0f MB" % (s1, s0),
            "%.2f ms/MB" % (c1 * 1e3), "%.2f ms/MB" % (c0 * 1e3),
            "%.2fx" % growth, "linear (<= 1.5x)",
            "met" if growth <= 1.5 else "missed")
        detail = ", ".join("%.0f MB %.2f ms/MB" % (s, c * 1e3)
                           for s, c, _ in per_mb)
        print("offline: CPU per MB by size: %s" % detail)


if __name__ == "__main__":
    main()
