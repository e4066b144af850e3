#!/usr/bin/env python3
"""Writes a regedit 5 export (UTF-16LE with a BOM, CRLF) shaped like a full
HKEY_LOCAL_MACHINE export, of about the size asked for.

    gen-export.py OUT.reg MEGABYTES [MACHINE.reg]

The filler has the shape of a real machine's HKLM: file types and CLSIDs
under SOFTWARE\\Classes, services under SYSTEM with REG_EXPAND_SZ,
REG_MULTI_SZ, DWORD, QWORD and long REG_BINARY values that regedit wraps
over continuation lines. MACHINE.reg (default: the Windows 10 22H2 fixture
of tests/data/machines) is appended, so the export holds the keys a check
reads. The same arguments always give the same file.
"""
import os
import sys


def wrap_hex(prefix, data):
    """regedit's hex notation: 'prefix' then bytes, wrapped near column 80
    with a backslash and two spaces, as regedit writes them."""
    out = prefix
    col = len(prefix)
    parts = []
    for i, b in enumerate(data):
        item = "%02x" % b + ("," if i + 1 < len(data) else "")
        if col + len(item) > 77 and i + 1 < len(data):
            parts.append(out + "\\")
            out = "  "
            col = 2
        out += item
        col += len(item)
    parts.append(out)
    return "\r\n".join(parts)


def utf16z(*strings):
    return b"".join(s.encode("utf-16-le") + b"\0\0" for s in strings)


def block(i):
    """About 1.3 KB of export text: one file type, one CLSID and, every
    fourth block, one service."""
    guid = "{%08X-%04X-11D0-A2D5-00C04FB%05X}" % (
        (i * 2654435761) & 0xFFFFFFFF, i & 0xFFFF, i & 0xFFFFF)
    lines = [
        r"[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\.ext%06d]" % i,
        '@="ext%dfile"' % i,
        '"Content Type"="application/x-bench-%d"' % (i % 97),
        "",
        r"[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\CLSID\%s]" % guid,
        '@="Bench Object %d"' % i,
        "",
        r"[HKEY_LOCAL_MACHINE\SOFTWARE\Classes\CLSID\%s\InprocServer32]" % guid,
        wrap_hex("@=hex(2):", utf16z(r"%%SystemRoot%%\system32\bench%d.dll" % i)),
        '"ThreadingModel"="Both"',
        "",
    ]
    if i % 4 == 0:
        svc = r"HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\BenchSvc%d" % i
        lines += [
            "[%s]" % svc,
            wrap_hex('"ImagePath"=hex(2):',
                     utf16z(r"%%SystemRoot%%\system32\svchost.exe -k bench%d" % i)),
            '"Start"=dword:%08x' % (i % 5),
            '"Type"=dword:00000020',
            wrap_hex('"DependOnService"=hex(7):', utf16z("RpcSs", "Tcpip") + b"\0\0"),
            "",
            "[%s\\Security]" % svc,
            wrap_hex('"Security"=hex:', bytes((j * 7 + i) & 0xFF for j in range(160))),
            wrap_hex('"Stamp"=hex(b):', (i * 10000019).to_bytes(8, "little")),
            "",
        ]
    return "\r\n".join(lines) + "\r\n"


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: gen-export.py OUT.reg MEGABYTES [MACHINE.reg]")
    out, megabytes = sys.argv[1], float(sys.argv[2])
    here = os.path.dirname(os.path.abspath(__file__))
    machine = sys.argv[3] if len(sys.argv) == 4 else os.path.join(
        here, "..", "tests", "data", "machines", "win10-22h2.reg")
    with open(machine, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-16-le" if raw[:2] == b"\xff\xfe" else "utf-8")
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\n", "\r\n")
    header, _, body = text.partition("\r\n")
    if not header.startswith("Windows Registry Editor Version 5.00"):
        sys.exit("gen-export.py: %s is not a regedit 5 export" % machine)
    target = int(megabytes * 1e6)
    body_bytes = 2 * len(body)
    with open(out, "wb") as f:
        f.write(b"\xff\xfe")
        f.write((header + "\r\n\r\n").encode("utf-16-le"))
        written = 2 + 2 * (len(header) + 4)
        i = 0
        chunk = []
        while written + body_bytes < target:
            b = block(i)
            chunk.append(b)
            written += 2 * len(b)
            i += 1
            if len(chunk) == 512:
                f.write("".join(chunk).encode("utf-16-le"))
                chunk = []
        f.write("".join(chunk).encode("utf-16-le"))
        f.write(body.lstrip("\r\n").encode("utf-16-le"))


if __name__ == "__main__":
    main()
