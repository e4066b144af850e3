#!/usr/bin/env python3
"""Generates the machine-state .reg fixtures in this directory.

Each fixture is what `regedit /E file.reg HKEY_LOCAL_MACHINE` would write for
a trimmed-down machine: "Windows Registry Editor Version 5.00", UTF-16LE with
a BOM, CRLF, every key in its own section (parents before children, subkeys
in case-insensitive order), hex lists wrapped as regedit wraps them.

Run it from anywhere; it rewrites the .reg files next to itself:
    python3 tests/data/machines/make-fixtures.py
"""
import copy
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

SZ, EXPAND_SZ, BINARY, DWORD, MULTI_SZ, QWORD = 1, 2, 3, 4, 7, 11

CV = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion"
WINHTTP = r"SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp"
WINHTTP32 = (r"SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion"
             r"\Internet Settings\WinHttp")
NETFX = [r"SOFTWARE\Microsoft\.NETFramework\v2.0.50727",
         r"SOFTWARE\Microsoft\.NETFramework\v4.0.30319",
         r"SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v2.0.50727",
         r"SOFTWARE\Wow6432Node\Microsoft\.NETFramework\v4.0.30319"]
NDP4 = r"SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full"
NDP35 = r"SOFTWARE\Microsoft\NET Framework Setup\NDP\v3.5"
PROTO = r"SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols"
CBS = (r"SOFTWARE\Microsoft\Windows\CurrentVersion"
       r"\Component Based Servicing\Packages")
KB3140245 = "Package_for_KB3140245~31bf3856ad364e35~amd64~~6.1.1.2"
FIPS = r"SYSTEM\CurrentControlSet\Control\Lsa\FIPSAlgorithmPolicy"
CIPHER_POLICY = (r"SOFTWARE\Policies\Microsoft\Cryptography\Configuration"
                 r"\SSL\00010002")


def sz(text):
    return (SZ, (text + "\0").encode("utf-16-le"))


def expand_sz(text):
    return (EXPAND_SZ, (text + "\0").encode("utf-16-le"))


def multi_sz(*items):
    return (MULTI_SZ, ("".join(i + "\0" for i in items) + "\0")
            .encode("utf-16-le"))


def dword(v):
    return (DWORD, struct.pack("<I", v))


def qword(v):
    return (QWORD, struct.pack("<Q", v))


def binary(data):
    return (BINARY, bytes(data))


class Machine:
    """Keys (HKLM-relative paths) and their values in insertion order."""

    def __init__(self):
        self.keys = {}

    def key(self, path):
        parts = path.split("\\")
        for i in range(1, len(parts) + 1):
            self.keys.setdefault("\\".join(parts[:i]), {})
        return self.keys[path]

    def set(self, path, name, value):
        self.key(path)[name] = value

    def tree_order(self):
        """Paths parent-first, siblings in case-insensitive order."""
        children = {}
        for p in self.keys:
            parent = p.rsplit("\\", 1)[0] if "\\" in p else ""
            children.setdefault(parent, []).append(p)
        out = []

        def walk(parent):
            for p in sorted(children.get(parent, []),
                            key=lambda s: s.rsplit("\\", 1)[-1].lower()):
                out.append(p)
                walk(p)
        walk("")
        return out


def escape(s):
    return s.replace("\\", "\\\\").replace('"', '\\"')


def hex_lines(prefix_len, data):
    # regedit: a "\" continuation once the line reaches 77 columns, then
    # two spaces of indent.
    out, line_len = [], prefix_len
    for i, b in enumerate(data):
        out.append("%02x" % b)
        if i == len(data) - 1:
            break
        out.append(",")
        line_len += 3
        if line_len >= 77:
            out.append("\\\r\n  ")
            line_len = 2
    return "".join(out)


def value_line(name, value):
    vtype, data = value
    head = '"%s"=' % escape(name) if name else "@="
    if vtype == SZ:
        text = data.decode("utf-16-le")
        assert text.endswith("\0") and "\0" not in text[:-1]
        return head + '"%s"' % escape(text[:-1])
    if vtype == DWORD and len(data) == 4:
        return head + "dword:%08x" % struct.unpack("<I", data)[0]
    kind = "hex:" if vtype == BINARY else "hex(%x):" % vtype
    return head + kind + hex_lines(len(head) + len(kind), data)


def render(machine):
    parts = ["Windows Registry Editor Version 5.00\r\n"]
    parts.append("\r\n[HKEY_LOCAL_MACHINE]\r\n")
    for path in machine.tree_order():
        parts.append("\r\n[HKEY_LOCAL_MACHINE\\%s]\r\n" % path)
        for name, value in machine.keys[path].items():
            parts.append(value_line(name, value) + "\r\n")
    parts.append("\r\n")
    return b"\xff\xfe" + "".join(parts).encode("utf-16-le")


def common(m, x64=True):
    """Keys every machine has, and noise that exercises the parser."""
    m.key(r"HARDWARE\DESCRIPTION\System\CentralProcessor\0")
    m.set(r"HARDWARE\DESCRIPTION\System\CentralProcessor\0",
          "ProcessorNameString",
          sz("Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"))
    m.set(r"HARDWARE\DESCRIPTION\System\CentralProcessor\0", "~MHz",
          dword(2394))
    m.key(r"SAM")
    m.key(r"SECURITY")
    m.set(r"SOFTWARE\Classes\.txt", "", sz("txtfile"))
    m.set(r"SOFTWARE\Classes\.txt", "Content Type", sz("text/plain"))
    m.set(r"SOFTWARE\Classes\.reg", "", sz("regfile"))
    m.set(r"SOFTWARE\Classes\txtfile\shell\open\command", "",
          expand_sz(r"%SystemRoot%\system32\NOTEPAD.EXE %1"))
    m.set(r"SOFTWARE\Contoso\Agent", "InstallPath",
          sz(r"C:\Program Files\Contoso\Agent\ "))
    m.set(r"SOFTWARE\Contoso\Agent", "Banner",
          sz(r'He said "use \\server\share" then left'))
    m.set(r"SOFTWARE\Contoso\Agent", "Servers",
          multi_sz("cm01.contoso.local", "cm02.contoso.local",
                   r"\\dp01\SMS_DP$"))
    m.set(r"SOFTWARE\Contoso\Agent", "LogDir",
          expand_sz(r"%ProgramData%\Contoso\Logs"))
    m.set(r"SOFTWARE\Contoso\Agent", "Thumbprint",
          binary(range(0x00, 0xa0, 3)))
    m.set(r"SOFTWARE\Contoso\Agent", "LastRun", qword(0x01d9f2a3b4c5d6e7))
    m.set(r"SOFTWARE\Contoso\Agent", "Flags", dword(0x80000001))
    m.set(r"SOFTWARE\Contoso\Agent", "Empty", sz(""))
    m.set(r"SOFTWARE\Contoso\Agent\Modules\Inventory", "Enabled", dword(1))
    m.set(r"SOFTWARE\Microsoft\Windows\CurrentVersion", "ProgramFilesDir",
          sz(r"C:\Program Files"))
    m.set(r"SOFTWARE\Microsoft\Windows\CurrentVersion", "CommonFilesDir",
          sz(r"C:\Program Files\Common Files"))
    m.key(r"SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings"
          r"\Connections")
    m.key(WINHTTP)
    m.key(r"SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings"
          r"\WinHttp\Tracing")
    m.set(r"SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings"
          r"\Connections", "WinHttpSettings",
          binary([0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                  0, 0]))
    for k in NETFX[:2]:
        m.key(k)
    if x64:
        m.set(r"SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion",
              "ProgramFilesDir", sz(r"C:\Program Files (x86)"))
        m.key(WINHTTP32)
        for k in NETFX[2:]:
            m.key(k)
        m.set(r"SOFTWARE\Wow6432Node\Contoso\Agent", "InstallPath",
              sz(r"C:\Program Files (x86)\Contoso\Agent"))
    m.set(NDP35, "Install", dword(1))
    m.set(NDP35, "SP", dword(1))
    m.set(r"SYSTEM\CurrentControlSet\Control\Lsa\FIPSAlgorithmPolicy",
          "Enabled", dword(0))
    m.set(r"SYSTEM\CurrentControlSet\Control\Session Manager\Environment",
          "Path", expand_sz(r"%SystemRoot%\system32;%SystemRoot%;"
                            r"%SystemRoot%\System32\Wbem;"
                            r"%SYSTEMROOT%\System32\WindowsPowerShell\v1.0\\"))
    m.set(r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters", "Hostname",
          sz("PC-0417"))
    m.set(r"SYSTEM\CurrentControlSet\Services\Tcpip\Parameters", "Domain",
          sz("contoso.local"))
    m.set(r"SYSTEM\CurrentControlSet\Services\WinHttpAutoProxySvc",
          "ImagePath", expand_sz(r"%SystemRoot%\system32\svchost.exe -k "
                                 r"LocalServiceNetworkRestricted -p"))
    m.set(r"SYSTEM\CurrentControlSet\Services\WinHttpAutoProxySvc",
          "RequiredPrivileges",
          multi_sz("SeAuditPrivilege", "SeChangeNotifyPrivilege",
                   "SeCreateGlobalPrivilege", "SeImpersonatePrivilege"))
    m.set(r"SYSTEM\CurrentControlSet\Services\WinHttpAutoProxySvc",
          "Start", dword(3))
    m.key(PROTO)
    m.set(CBS + r"\Package_for_KB2533552~31bf3856ad364e35~amd64~~6.1.1.1",
          "CurrentState", dword(0x70))
    m.set(CBS + r"\Package_for_KB2533552~31bf3856ad364e35~amd64~~6.1.1.1",
          "InstallClient", sz("WindowsUpdateAgent"))


def os_info(m, version, build, product, edition, itype, major=None,
            minor=None, csd=None, display=None, ubr=None):
    m.set(CV, "SystemRoot", sz(r"C:\Windows"))
    m.set(CV, "CurrentVersion", sz(version))
    m.set(CV, "CurrentBuild", sz(build))
    m.set(CV, "CurrentBuildNumber", sz(build))
    m.set(CV, "CurrentType", sz("Multiprocessor Free"))
    m.set(CV, "ProductName", sz(product))
    m.set(CV, "EditionID", sz(edition))
    m.set(CV, "InstallationType", sz(itype))
    m.set(CV, "RegisteredOrganization", sz("Contoso Ltd."))
    m.set(CV, "InstallDate", dword(0x5f3c2a10))
    m.set(CV, "DigitalProductId",
          binary([0xa4, 0, 0, 0, 3, 0, 0, 0] + list(b"00392-918-5000002-85") +
                 [0] * 12 + list(range(0x10, 0x60))))
    if csd:
        m.set(CV, "CSDVersion", sz(csd))
        m.set(CV, "CSDBuildNumber", sz("1130"))
    if major is not None:
        m.set(CV, "CurrentMajorVersionNumber", dword(major))
        m.set(CV, "CurrentMinorVersionNumber", dword(minor))
    if display:
        m.set(CV, "DisplayVersion", sz(display))
        m.set(CV, "ReleaseId", sz("2009"))
    if ubr is not None:
        m.set(CV, "UBR", dword(ubr))


def net4(m, release, version):
    m.set(NDP4, "CBS", dword(1))
    m.set(NDP4, "Install", dword(1))
    m.set(NDP4, "InstallPath",
          sz(r"C:\Windows\Microsoft.NET\Framework64\v4.0.30319" "\\"))
    m.set(NDP4, "Release", dword(release))
    m.set(NDP4, "Servicing", dword(0))
    m.set(NDP4, "TargetVersion", sz("4.0.0"))
    m.set(NDP4, "Version", sz(version))


def tls12_client(m, enabled=1, dbd=0):
    m.set(PROTO + r"\TLS 1.2\Client", "Enabled", dword(enabled))
    m.set(PROTO + r"\TLS 1.2\Client", "DisabledByDefault", dword(dbd))


def dotnet_strong(m, keys=NETFX):
    for k in keys:
        m.set(k, "SchUseStrongCrypto", dword(1))
        m.set(k, "SystemDefaultTlsVersions", dword(1))


def win7_base():
    m = Machine()
    common(m)
    os_info(m, "6.1", "7601", "Windows 7 Enterprise", "Enterprise", "Client",
            csd="Service Pack 1")
    m.set(NDP35, "Version", sz("3.5.30729.5420"))
    m.set(PROTO + r"\SSL 2.0\Client", "DisabledByDefault", dword(1))
    return m


def win7_unpatched():
    m = win7_base()
    net4(m, 379893, "4.5.51209")
    return m


def win7_patched():
    m = win7_base()
    net4(m, 528040, "4.8.03761")
    m.set(CBS + "\\" + KB3140245, "CurrentState", dword(0x70))
    m.set(CBS + "\\" + KB3140245, "InstallClient", sz("WindowsUpdateAgent"))
    m.set(CBS + "\\" + KB3140245, "InstallName",
          sz("Windows6.1-KB3140245-x64.mum"))
    cbs(m, "Package_for_KB3154518~31bf3856ad364e35~amd64~~6.1.1.0")
    # Partly done: WinHTTP in the 64-bit view only, TLS 1.2 client keys,
    # .NET strong crypto for 64-bit 4.x only.
    m.set(WINHTTP, "DefaultSecureProtocols", dword(0xa00))
    tls12_client(m)
    dotnet_strong(m, NETFX[1:2])
    return m


def server2012r2():
    m = Machine()
    common(m)
    os_info(m, "6.3", "9600", "Windows Server 2012 R2 Standard",
            "ServerStandard", "Server", ubr=20365)
    m.set(NDP35, "Version", sz("3.5.30729.4926"))
    net4(m, 461808, "4.7.03062")
    cbs(m, "Package_for_KB3154520_RTM~31bf3856ad364e35~amd64~~6.3.1.0")
    m.set(PROTO + r"\SSL 2.0\Client", "DisabledByDefault", dword(1))
    m.set(WINHTTP, "DefaultSecureProtocols", dword(0xaa0))
    m.set(WINHTTP32, "DefaultSecureProtocols", dword(0xaa0))
    tls12_client(m)
    dotnet_strong(m)
    return m


def win10():
    m = Machine()
    common(m)
    os_info(m, "6.3", "19045", "Windows 10 Enterprise", "Enterprise",
            "Client", major=10, minor=0, display="22H2", ubr=3803)
    m.set(NDP35, "Version", sz("3.5.30729.4926"))
    net4(m, 528372, "4.8.04084")
    m.set(WINHTTP, "DefaultSecureProtocols", dword(0xaa0))
    m.set(WINHTTP32, "DefaultSecureProtocols", dword(0xaa0))
    tls12_client(m)
    dotnet_strong(m)
    return m


def win11():
    m = Machine()
    common(m)
    # Windows 11 still says "Windows 10" in ProductName; the build tells.
    os_info(m, "6.3", "22631", "Windows 10 Pro", "Professional", "Client",
            major=10, minor=0, display="23H2", ubr=3296)
    m.set(NDP35, "Version", sz("3.5.30729.4926"))
    net4(m, 533320, "4.8.09032")
    m.set(WINHTTP, "DefaultSecureProtocols", dword(0xaa0))
    m.set(WINHTTP32, "DefaultSecureProtocols", dword(0xaa0))
    tls12_client(m)
    dotnet_strong(m)
    return m


def cbs(m, package, state=0x70):
    """A servicing package in a given CurrentState."""
    m.set(CBS + "\\" + package, "CurrentState", dword(state))
    m.set(CBS + "\\" + package, "InstallClient", sz("WindowsUpdateAgent"))


def bare(version, build, product, edition, itype, csd=None, major=None,
         minor=None, display=None, ubr=None, release=None, net_version=None,
         net35=True):
    """A machine as installed: no TLS value set by anyone."""
    m = Machine()
    common(m)
    if not net35:
        del m.keys[NDP35]
    os_info(m, version, build, product, edition, itype, major=major,
            minor=minor, csd=csd, display=display, ubr=ubr)
    if release:
        net4(m, release, net_version)
    return m


def vista():
    return bare("6.0", "6002", "Windows Vista (TM) Business", "Business",
                "Client", csd="Service Pack 2")


def server2008_sp2():
    return bare("6.0", "6002", "Windows Server (R) 2008 Standard",
                "ServerStandard", "Server", csd="Service Pack 2",
                release=379893, net_version="4.5.51209")


def win7_rtm():
    m = bare("6.1", "7600", "Windows 7 Enterprise", "Enterprise", "Client",
             release=379893, net_version="4.5.51209")
    m.set(PROTO + r"\SSL 2.0\Client", "DisabledByDefault", dword(1))
    return m


def win8():
    return bare("6.2", "9200", "Windows 8 Pro", "Professional", "Client",
                release=394806, net_version="4.6.01590")


def server2012():
    # The update as rollups deliver it: an _RTM package superseded (0x50)
    # by a later one, and a multi-part package installed permanently.
    m = bare("6.2", "9200", "Windows Server 2012 Standard", "ServerStandard",
             "Server", release=528040, net_version="4.8.03761")
    cbs(m, "Package_for_KB3140245_RTM~31bf3856ad364e35~amd64~~6.2.1.1",
        0x50)
    cbs(m, "Package_for_KB3154519_RTM~31bf3856ad364e35~amd64~~6.2.1.0",
        0x80)
    return m


def server2012_no_kb():
    m = bare("6.2", "9200", "Windows Server 2012 Standard", "ServerStandard",
             "Server", release=528040, net_version="4.8.03761")
    # Staged but never installed (0x20): not present.
    cbs(m, "Package_1_for_KB3140245~31bf3856ad364e35~amd64~~6.2.1.1", 0x20)
    return m


def win10_default():
    return bare("6.3", "19045", "Windows 10 Enterprise", "Enterprise",
                "Client", major=10, minor=0, display="22H2", ubr=3803,
                release=528372, net_version="4.8.04084")


def server(build, product, display=None, release=528040):
    return bare("6.3", build, product, "ServerStandard", "Server", major=10,
                minor=0, display=display, release=release,
                net_version="4.8.03761")


def win11_default(build, display):
    # ProductName says "Windows 10 Pro" as on real Windows 11.
    return bare("6.3", build, "Windows 10 Pro", "Professional", "Client",
                major=10, minor=0, display=display, release=533320,
                net_version="4.8.09032")


def special():
    """Machines in a state tlsward must recognise."""
    out = {}
    m = win7_patched()
    # A hardening script turned TLS 1.0 and 1.1 off before TLS 1.2 works:
    # orphaned at the next restart.
    for p in ("TLS 1.0", "TLS 1.1"):
        m.set(PROTO + "\\" + p + r"\Client", "Enabled", dword(0))
        m.set(PROTO + "\\" + p + r"\Client", "DisabledByDefault", dword(1))
    del m.keys[PROTO + r"\TLS 1.2\Client"]
    out["win7-sp1-tls10-off"] = m
    m = win10_default()
    # A security baseline's stricter DefaultSecureProtocols (TLS 1.1/1.2).
    m.set(WINHTTP, "DefaultSecureProtocols", dword(0xa00))
    m.set(WINHTTP32, "DefaultSecureProtocols", dword(0xa00))
    out["win10-22h2-stricter"] = m
    m = win10_default()
    for side in ("Client", "Server"):
        m.set(PROTO + r"\TLS 1.3" + "\\" + side, "Enabled", dword(1))
        m.set(PROTO + r"\TLS 1.3" + "\\" + side, "DisabledByDefault",
              dword(0))
    out["win10-22h2-tls13-keys"] = m
    m = win10_default()
    m.set(FIPS, "Enabled", dword(1))
    # An SSL Cipher Suite Order policy with TLS 1.0-era suites only.
    m.set(CIPHER_POLICY, "Functions",
          sz("TLS_RSA_WITH_RC4_128_SHA,TLS_RSA_WITH_3DES_EDE_CBC_SHA"))
    m.set(PROTO + r"\TLS 1.2\Client", "Enabled", dword(0xffffffff))
    out["win10-22h2-fips-ciphers"] = m
    return out


def drift(base, path, name, value):
    m = copy.deepcopy(base)
    m.set(path, name, value)
    return m


def main():
    machines = {}
    for name, make in [("win7-sp1-unpatched", win7_unpatched),
                       ("win7-sp1-patched", win7_patched),
                       ("server2012r2", server2012r2),
                       ("win10-22h2", win10),
                       ("win11", win11)]:
        machines[name] = make()
    drifts = {
        # Someone pushed the Windows 7 default back in as a value.
        "win7-sp1-unpatched": (WINHTTP, "DefaultSecureProtocols",
                               dword(0xa0)),
        "win7-sp1-patched": (WINHTTP, "DefaultSecureProtocols",
                             dword(0xa0)),
        "server2012r2": (PROTO + r"\TLS 1.2\Client", "Enabled", dword(0)),
        "win10-22h2": (WINHTTP32, "DefaultSecureProtocols", dword(0xa0)),
        "win11": (NETFX[3], "SchUseStrongCrypto", dword(0)),
    }
    for name in list(machines):
        machines[name + "-drift"] = drift(machines[name], *drifts[name])
    # One machine per Windows the OS model has a row for, as installed.
    machines.update({
        "vista-sp2": vista(),
        "server2008-sp2": server2008_sp2(),
        "win7-rtm": win7_rtm(),
        "win8": win8(),
        "server2012": server2012(),
        "server2012-no-kb": server2012_no_kb(),
        "win10-22h2-default": win10_default(),
        "server2016": server("14393", "Windows Server 2016 Standard"),
        "server2019": server("17763", "Windows Server 2019 Standard"),
        "server2022": server("20348", "Windows Server 2022 Standard",
                             "21H2"),
        "server2025": server("26100", "Windows Server 2025 Standard",
                             "24H2", release=533320),
        "win11-23h2-default": win11_default("22631", "23H2"),
        "win11-24h2-default": win11_default("26100", "24H2"),
    })
    machines.update(special())
    for name, m in machines.items():
        with open(os.path.join(HERE, name + ".reg"), "wb") as f:
            f.write(render(m))


if __name__ == "__main__":
    main()
