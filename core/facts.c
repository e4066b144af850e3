/* tlsward: facts about the machine read through a registry backend (works on
 * a .reg export as well as the live registry), and the seed policy. */
#include "tlsr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CURRENT_VERSION_KEY "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
#define NDP4_KEY "SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
#define NDP35_KEY "SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v3.5"
#define CBS_PACKAGES_KEY                                                       \
	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based "       \
	"Servicing\\Packages"
#define KB3140245_PREFIX "Package_for_KB3140245~"
#define CBS_STATE_INSTALLED 0x70u
#define FIPS_KEY "SYSTEM\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy"
#define WOW64_KEY "SOFTWARE\\Wow6432Node"

/* Every key tlsr_facts_read reads: a .reg file read for a check keeps only
 * these and the settings' keys (core/check_keys.c). */
const struct tlsr_regfile_keep tlsr_facts_keys[] = {
    {CURRENT_VERSION_KEY, TLSR_VIEW_64, 0},
    {NDP4_KEY, TLSR_VIEW_64, 0},
    {NDP35_KEY, TLSR_VIEW_64, 0},
    {CBS_PACKAGES_KEY, TLSR_VIEW_64, 1},
    {WOW64_KEY, TLSR_VIEW_64, 0},
    {FIPS_KEY, TLSR_VIEW_64, 0},
};
const size_t tlsr_facts_keys_count =
    sizeof tlsr_facts_keys / sizeof tlsr_facts_keys[0];

/* A missing key or value, or one of another type, is an unknown fact; any
 * other failure (access, I/O, an injected fault) must reach the caller. */
static int is_soft(tlsr_err err)
{
	return err == TLSR_ENOTFOUND || err == TLSR_ETYPE || err == TLSR_ERANGE;
}

/* Reads a DWORD from the 64-bit view; *found says whether it was there. */
static tlsr_err get_dword(struct tlsr_registry *reg, const char *path,
			  const char *name, uint32_t *out, int *found)
{
	tlsr_err err = tlsr_reg_get_dword(reg, path, TLSR_VIEW_64, name, out);

	*found = err == TLSR_OK;
	return is_soft(err) ? TLSR_OK : err;
}

/* Reads a string from the 64-bit view into buf ("" when absent). */
static tlsr_err get_string(struct tlsr_registry *reg, const char *path,
			   const char *name, char *buf, size_t size, int *found)
{
	tlsr_err err =
	    tlsr_reg_get_string(reg, path, TLSR_VIEW_64, name, buf, size);

	*found = err == TLSR_OK;
	if (!*found)
		buf[0] = '\0';
	return is_soft(err) ? TLSR_OK : err;
}

/* Whether s starts with prefix, ignoring ASCII case. */
static int starts_with_nocase(const char *s, const char *prefix)
{
	for (; *prefix != '\0'; s++, prefix++) {
		int a = (unsigned char)*s, b = (unsigned char)*prefix;

		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return 0;
	}
	return 1;
}

/* Leading decimal digits of s; *end points past them. */
static unsigned parse_uint(const char *s, const char **end)
{
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9') {
		if (v < 100000000ul)
			v = v * 10 + (unsigned long)(*s - '0');
		s++;
	}
	if (end != NULL)
		*end = s;
	return (unsigned)v;
}

/* Version, build, service pack, edition and product name. */
static tlsr_err read_os(struct tlsr_registry *reg, struct tlsr_facts *f)
{
	char buf[256];
	uint32_t major, minor;
	int found, found2;
	const char *p;
	tlsr_err err;

	/* Windows 10 and later keep "6.3" in CurrentVersion for old
	 * applications; the dwords carry the real version. */
	err = get_dword(reg, CURRENT_VERSION_KEY, "CurrentMajorVersionNumber",
			&major, &found);
	if (err != TLSR_OK)
		return err;
	err = get_dword(reg, CURRENT_VERSION_KEY, "CurrentMinorVersionNumber",
			&minor, &found2);
	if (err != TLSR_OK)
		return err;
	if (found) {
		f->os_known = 1;
		f->os_major = major;
		f->os_minor = found2 ? minor : 0;
	} else {
		err = get_string(reg, CURRENT_VERSION_KEY, "CurrentVersion",
				 buf, sizeof buf, &found);
		if (err != TLSR_OK)
			return err;
		if (found && buf[0] >= '0' && buf[0] <= '9') {
			f->os_major = parse_uint(buf, &p);
			f->os_minor = *p == '.' ? parse_uint(p + 1, NULL) : 0;
			f->os_known = 1;
		}
	}

	err = get_string(reg, CURRENT_VERSION_KEY, "CurrentBuild", buf,
			 sizeof buf, &found);
	if (err != TLSR_OK)
		return err;
	if (!found) {
		err = get_string(reg, CURRENT_VERSION_KEY, "CurrentBuildNumber",
				 buf, sizeof buf, &found);
		if (err != TLSR_OK)
			return err;
	}
	if (found)
		f->os_build = parse_uint(buf, NULL);

	err = get_string(reg, CURRENT_VERSION_KEY, "CSDVersion", buf,
			 sizeof buf, &found);
	if (err != TLSR_OK)
		return err;
	if (found && starts_with_nocase(buf, "Service Pack "))
		f->os_sp = parse_uint(buf + strlen("Service Pack "), NULL);

	err = get_string(reg, CURRENT_VERSION_KEY, "ProductName", f->product,
			 sizeof f->product, &found);
	if (err != TLSR_OK && err != TLSR_ERANGE)
		return err;

	/* "Server" and "Server Core" are servers; older releases lack the
	 * value, and their product name says it. */
	err = get_string(reg, CURRENT_VERSION_KEY, "InstallationType", buf,
			 sizeof buf, &found);
	if (err != TLSR_OK)
		return err;
	if (found)
		f->is_server = starts_with_nocase(buf, "Server");
	else
		f->is_server = strstr(f->product, "Server") != NULL;
	return TLSR_OK;
}

/* Looks for an installed KB3140245 servicing package. */
static tlsr_err read_kb3140245(struct tlsr_registry *reg, struct tlsr_facts *f)
{
	char name[TLSR_REG_NAME_MAX];
	char path[sizeof CBS_PACKAGES_KEY + TLSR_REG_NAME_MAX + 2];
	struct tlsr_key *key = NULL;
	size_t i;
	uint32_t state;
	int seen = 0, found;
	tlsr_err err;

	err = reg->ops->open_key(reg, CBS_PACKAGES_KEY, TLSR_VIEW_64, 0, &key);
	if (err == TLSR_ENOTFOUND) {
		f->kb3140245 = TLSR_UNKNOWN;
		snprintf(
		    f->kb3140245_source, sizeof f->kb3140245_source,
		    "unknown: no Component Based Servicing packages in the "
		    "registry");
		return TLSR_OK;
	}
	if (err != TLSR_OK)
		return err;

	f->kb3140245 = TLSR_NO;
	snprintf(f->kb3140245_source, sizeof f->kb3140245_source,
		 "no installed Package_for_KB3140245 in Component Based "
		 "Servicing");
	for (i = 0;; i++) {
		err = reg->ops->enum_subkey(reg, key, i, name, sizeof name);
		if (err == TLSR_ENOTFOUND) {
			err = TLSR_OK;
			break;
		}
		if (err == TLSR_ERANGE)
			continue;
		if (err != TLSR_OK)
			goto out;
		if (!starts_with_nocase(name, KB3140245_PREFIX))
			continue;
		seen = 1;
		snprintf(path, sizeof path, "%s\\%s", CBS_PACKAGES_KEY, name);
		err = get_dword(reg, path, "CurrentState", &state, &found);
		if (err != TLSR_OK)
			goto out;
		if (found && state == CBS_STATE_INSTALLED) {
			f->kb3140245 = TLSR_YES;
			snprintf(f->kb3140245_source,
				 sizeof f->kb3140245_source,
				 "CBS package %.80s CurrentState 0x70", name);
			break;
		}
	}
	if (f->kb3140245 != TLSR_YES && seen)
		snprintf(f->kb3140245_source, sizeof f->kb3140245_source,
			 "Package_for_KB3140245 present in Component Based "
			 "Servicing but not installed (CurrentState not 0x70)");
out:
	reg->ops->close_key(reg, key);
	return err;
}

/* Reads every fact; see tlsr.h. */
tlsr_err tlsr_facts_read(struct tlsr_registry *reg, struct tlsr_facts *out)
{
	struct tlsr_facts f;
	uint32_t v;
	int found;
	tlsr_err err;

	if (reg == NULL || out == NULL)
		return TLSR_EINVAL;
	memset(&f, 0, sizeof f);
	f.kb3140245 = TLSR_UNKNOWN;

	err = read_os(reg, &f);
	if (err != TLSR_OK)
		return err;

	err = get_dword(reg, NDP4_KEY, "Release", &v, &found);
	if (err != TLSR_OK)
		return err;
	f.net4_release = found ? v : 0;

	err = get_dword(reg, NDP35_KEY, "Install", &v, &found);
	if (err != TLSR_OK)
		return err;
	f.net35 = found && v == 1;

	err = read_kb3140245(reg, &f);
	if (err != TLSR_OK)
		return err;
	if (f.os_known && !tlsr_facts_needs_kb3140245(&f)) {
		char seen[sizeof f.kb3140245_source];

		/* A "false" here would read like a problem; say it is not. */
		snprintf(seen, sizeof seen, "%s", f.kb3140245_source);
		snprintf(f.kb3140245_source, sizeof f.kb3140245_source,
			 "Windows NT %u.%u has it built in; %.80s",
			 f.os_major, f.os_minor, seen);
	}

	err = tlsr_reg_key_exists(reg, WOW64_KEY, TLSR_VIEW_64);
	if (err != TLSR_OK && err != TLSR_ENOTFOUND)
		return err;
	f.x64 = err == TLSR_OK;

	err = get_dword(reg, FIPS_KEY, "Enabled", &v, &found);
	if (err != TLSR_OK)
		return err;
	f.fips = found && v != 0;

	*out = f;
	return TLSR_OK;
}

/* NT 6.1 (7 / 2008 R2) and 6.2 (8 / 2012) need the update for WinHTTP. */
int tlsr_facts_needs_kb3140245(const struct tlsr_facts *f)
{
	return f->os_known && f->os_major == 6 &&
	       (f->os_minor == 1 || f->os_minor == 2);
}

/* SChannel turns TLS 1.2 on by itself from NT 6.2 on; an unknown OS is
 * treated as the older case so nothing is assumed. */
int tlsr_facts_tls12_default_on(const struct tlsr_facts *f)
{
	if (!f->os_known)
		return 0;
	return f->os_major > 6 || (f->os_major == 6 && f->os_minor >= 2);
}

static const struct {
	uint32_t release;
	const char *name;
} net_releases[] = {
    {533320, ".NET Framework 4.8.1"}, {528040, ".NET Framework 4.8"},
    {461808, ".NET Framework 4.7.2"}, {461308, ".NET Framework 4.7.1"},
    {460798, ".NET Framework 4.7"},   {394802, ".NET Framework 4.6.2"},
    {394254, ".NET Framework 4.6.1"}, {393295, ".NET Framework 4.6"},
    {379893, ".NET Framework 4.5.2"}, {378675, ".NET Framework 4.5.1"},
    {378389, ".NET Framework 4.5"},
};

/* Names the highest version whose minimum Release the machine reaches. */
void tlsr_facts_net_name(const struct tlsr_facts *f, char *buf, size_t size)
{
	size_t i;

	if (size == 0)
		return;
	if (f->net4_release == 0) {
		snprintf(buf, size, "none (below .NET Framework 4.5)");
		return;
	}
	for (i = 0; i < sizeof net_releases / sizeof net_releases[0]; i++) {
		if (f->net4_release >= net_releases[i].release) {
			snprintf(buf, size, "%s", net_releases[i].name);
			return;
		}
	}
	snprintf(buf, size, ".NET Framework 4 (Release %lu)",
		 (unsigned long)f->net4_release);
}

/* The seed scenario's values; docs/policy.md documents each. */
void tlsr_policy_defaults(struct tlsr_policy *p)
{
	memset(p, 0, sizeof *p);
	p->version = 1;
	p->mode = TLSR_MODE_ENFORCE;
	p->winhttp.default_secure_protocols = 0xAA0;
	p->winhttp.keep =
	    TLSR_PROTO_BIT(TLSR_PROTO_SSL3) | TLSR_PROTO_BIT(TLSR_PROTO_TLS10);
	p->winhttp.prestage = 1;
	p->schannel.enable = TLSR_PROTO_BIT(TLSR_PROTO_TLS12);
	p->schannel.disable = 0;
	p->schannel.sides = TLSR_SIDE_CLIENT;
	p->dotnet.strong_crypto = 1;
	p->dotnet.system_default_tls_versions = 1;
	p->restart.mode = TLSR_RESTART_MODE_SCHEDULE;
	p->restart.window_start = 2 * 60;
	p->restart.window_end = 4 * 60;
	p->restart.grace = 900;
	snprintf(p->restart.message, sizeof p->restart.message, "%s",
		 "TLS 1.2 settings changed; this computer restarts in 15 "
		 "minutes.");
	p->check.interval = 900;
	p->check.jitter = 180;
	p->conflict.max_reverts = 5;
	p->conflict.window = 600;
	p->source.path[0] = '\0';
	p->source.poll = 600;
	p->proof.n_endpoints = 0;
	p->proof.interval = 4 * 3600;
	p->proof.require_for_legacy_off = 1;
}
