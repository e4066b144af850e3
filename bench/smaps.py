#!/usr/bin/env python3
"""The resident anonymous memory of a process, by where it lies.

    smaps.py PID [--all]

Sums the Anonymous field of /proc/PID/smaps (what RssAnon counts: private
pages written or copied, which under Wine includes every page of a PE
image it relocated or could not map from the file) per mapping source:
each thread's stack (the mapping that holds the stack pointer of the
thread's current system call, from /proc/PID/task/TID/syscall), each
mapped file (a DLL, a Unix library), the Unix heap, and the rest as
"(anon)". With --all, also every mapping of 32 KiB or more. The benchmark
keeps this beside its figures (bench-wine.sh, memory)."""
import collections
import os
import re
import sys


def thread_stacks(pid):
    """{tid: (stack pointer or None, thread name)}"""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            fields = open(f"/proc/{pid}/task/{tid}/syscall").read().split()
            comm = open(f"/proc/{pid}/task/{tid}/comm").read().strip()
        except OSError:
            continue
        sp = int(fields[-2], 16) if len(fields) >= 3 else None
        out[tid] = (sp, comm)
    return out


def mappings(pid):
    maps, cur = [], None
    for line in open(f"/proc/{pid}/smaps"):
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
        if m:
            cur = {"lo": int(m[1], 16), "hi": int(m[2], 16), "perm": m[3],
                   "path": m[4]}
            maps.append(cur)
            continue
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            cur[key] = int(value.split()[0])
    return maps


def main():
    if len(sys.argv) < 2 or not sys.argv[1].isdigit():
        print("usage: smaps.py PID [--all]", file=sys.stderr)
        return 2
    pid = sys.argv[1]
    stacks = thread_stacks(pid)
    groups = collections.Counter()
    rows = []
    for m in mappings(pid):
        kib = m.get("Anonymous", 0)
        if not kib:
            continue
        name = os.path.basename(m["path"]) if m["path"] else "(anon)"
        held = [f"{comm} {tid}" for tid, (sp, comm) in sorted(stacks.items())
                if sp is not None and m["lo"] <= sp < m["hi"]]
        if held:
            name = "stack of " + ", ".join(held)
        groups[name] += kib
        rows.append((kib, m, name))
    print(f"{sum(groups.values())} KiB anonymous, {len(stacks)} threads")
    for name, kib in groups.most_common():
        print(f"{kib:7d} KiB  {name}")
    if "--all" in sys.argv[2:]:
        for kib, m, name in sorted(rows, key=lambda r: -r[0]):
            if kib >= 32:
                print(f"{kib:7d} KiB  {m['lo']:x}-{m['hi']:x} "
                      f"({(m['hi'] - m['lo']) // 1024} KiB {m['perm']}) {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
