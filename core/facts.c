/* tlsward: facts about the machine read through a registry backend (works on
 * a .reg export as well as the live registry), and the seed policy. */
#include "tlsr.h"
#include "risks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CURRENT_VERSION_KEY "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
#define NDP4_KEY "SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
#define NDP35_KEY "SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v3.5"
#define CBS_PACKAGES_KEY                                                       \
	"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based "       \
	"Servicing\\Packages"
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
    /* What the risks read (core/risks.c). */
    {TLSR_CIPHER_POLICY_KEY, TLSR_VIEW_64, 0},
    {TLSR_WININET_KEY, TLSR_VIEW_64, 0},
    {TLSR_WININET_POLICY_KEY, TLSR_VIEW_64, 0},
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

/* Whether s begins with prefix, ignoring ASCII case; *rest points past. */
static int skip_nocase(const char *s, const char *prefix, const char **rest)
{
	if (!starts_with_nocase(s, prefix))
		return 0;
	*rest = s + strlen(prefix);
	return 1;
}

/* Servicing names an update's packages Package_for_KB<n>~..., on NT 6.2
 * and later Package_for_KB<n>_RTM~..., and multi-part ones
 * Package_<i>_for_KB<n>~... */
int tlsr_cbs_package_is(const char *package, const char *kb)
{
	const char *p;

	if (package == NULL || kb == NULL || kb[0] == '\0')
		return 0;
	if (!skip_nocase(package, "Package_", &p))
		return 0;
	if (*p >= '0' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p != '_')
			return 0;
		p++;
	}
	if (!skip_nocase(p, "for_", &p) || !skip_nocase(p, kb, &p))
		return 0;
	if (*p == '~')
		return 1;
	return skip_nocase(p, "_RTM~", &p);
}

/* [CBS] servicing states: 0x70 installed, 0x80 permanent, 0x50
 * superseded (a newer package carries the content). */
int tlsr_cbs_state_present(uint32_t state)
{
	return state == 0x70u || state == 0x80u || state == 0x50u;
}

/* An update looked for in the servicing store: *out YES / NO, or UNKNOWN
 * without a servicing store; source says how. */
struct kb_want {
	const char *kb;
	tlsr_tri *out;
	char *source;
	size_t size;
	int seen; /* a package of it is there, installed or not */
};

/* Looks for the updates' servicing packages in place, in one pass over the
 * store, which holds thousands of packages on a serviced machine: the
 * pass ends when every update is found installed, or at the end. */
static tlsr_err read_cbs_kbs(struct tlsr_registry *reg, struct kb_want *w,
			     size_t n)
{
	char name[TLSR_REG_NAME_MAX];
	char path[sizeof CBS_PACKAGES_KEY + TLSR_REG_NAME_MAX + 2];
	struct tlsr_key *key = NULL;
	size_t i, j, left = n;
	uint32_t state = 0;
	int found = 0, have_state;
	tlsr_err err;

	err = reg->ops->open_key(reg, CBS_PACKAGES_KEY, TLSR_VIEW_64, 0, &key);
	if (err == TLSR_ENOTFOUND) {
		for (j = 0; j < n; j++) {
			*w[j].out = TLSR_UNKNOWN;
			snprintf(w[j].source, w[j].size,
				 "unknown: no Component Based Servicing "
				 "packages in the registry");
		}
		return TLSR_OK;
	}
	if (err != TLSR_OK)
		return err;

	for (j = 0; j < n; j++) {
		*w[j].out = TLSR_NO;
		snprintf(w[j].source, w[j].size,
			 "no %s package in Component Based Servicing", w[j].kb);
	}
	for (i = 0; left > 0; i++) {
		err = reg->ops->enum_subkey(reg, key, i, name, sizeof name);
		if (err == TLSR_ENOTFOUND) {
			err = TLSR_OK;
			break;
		}
		if (err == TLSR_ERANGE)
			continue;
		if (err != TLSR_OK)
			goto out;
		have_state = 0;
		for (j = 0; j < n; j++) {
			if (*w[j].out == TLSR_YES ||
			    !tlsr_cbs_package_is(name, w[j].kb))
				continue;
			w[j].seen = 1;
			if (!have_state) {
				snprintf(path, sizeof path, "%s\\%s",
					 CBS_PACKAGES_KEY, name);
				err = get_dword(reg, path, "CurrentState",
						&state, &found);
				if (err != TLSR_OK)
					goto out;
				have_state = 1;
			}
			if (found && tlsr_cbs_state_present(state)) {
				*w[j].out = TLSR_YES;
				snprintf(w[j].source, w[j].size,
					 "CBS package %.80s CurrentState "
					 "0x%lx",
					 name, (unsigned long)state);
				left--;
			}
		}
	}
	for (j = 0; j < n; j++)
		if (*w[j].out != TLSR_YES && w[j].seen)
			snprintf(w[j].source, w[j].size,
				 "%s present in Component Based Servicing but "
				 "not installed (CurrentState not 0x70, 0x80 "
				 "or 0x50)",
				 w[j].kb);
out:
	reg->ops->close_key(reg, key);
	return err;
}

/* The updates the OS row names, from the servicing store. */
static tlsr_err read_updates(struct tlsr_registry *reg, struct tlsr_facts *f)
{
	const struct tlsr_os *os = tlsr_facts_os(f);
	struct kb_want want[3];
	char ignored[128];
	size_t n = 0;

	memset(want, 0, sizeof want);
	if (os->winhttp_update != NULL) {
		want[n].kb = os->winhttp_update;
		want[n].out = &f->kb3140245;
		want[n].source = f->kb3140245_source;
		want[n++].size = sizeof f->kb3140245_source;
	} else {
		f->kb3140245 = TLSR_UNKNOWN;
		snprintf(f->kb3140245_source, sizeof f->kb3140245_source,
			 "%s has TLS 1.2 in WinHTTP built in",
			 os->name);
	}
	if (os->os_update != NULL) {
		want[n].kb = os->os_update;
		want[n].out = &f->os_update;
		want[n].source = ignored;
		want[n++].size = sizeof ignored;
	}
	if (f->net35 && os->net35_update != NULL) {
		want[n].kb = os->net35_update;
		want[n].out = &f->net35_update;
		want[n].source = f->net35_update_source;
		want[n++].size = sizeof f->net35_update_source;
	} else if (f->net35) {
		f->net35_update = TLSR_YES;
		snprintf(f->net35_update_source,
			 sizeof f->net35_update_source,
			 "%s's own updates carry TLS 1.2 for .NET 3.5",
			 os->name);
	}
	return n > 0 ? read_cbs_kbs(reg, want, n) : TLSR_OK;
}

/* Every fact, into out when all were read. */
static tlsr_err read_facts(struct tlsr_registry *reg, struct tlsr_facts *out)
{
	struct tlsr_facts f;
	uint32_t v;
	int found;
	tlsr_err err;

	memset(&f, 0, sizeof f);
	f.kb3140245 = TLSR_UNKNOWN;
	f.os_update = TLSR_UNKNOWN;
	f.net35_update = TLSR_UNKNOWN;

	err = read_os(reg, &f);
	if (err != TLSR_OK)
		return err;

	err = get_dword(reg, NDP4_KEY, "Release", &v, &found);
	if (err != TLSR_OK)
		return err;
	f.net4_release = found ? v : 0;

	err = get_dword(reg, NDP4_KEY, "Install", &v, &found);
	if (err != TLSR_OK)
		return err;
	f.net40 = found && v == 1 && f.net4_release == 0;

	err = get_dword(reg, NDP35_KEY, "Install", &v, &found);
	if (err != TLSR_OK)
		return err;
	f.net35 = found && v == 1;

	err = read_updates(reg, &f);
	if (err != TLSR_OK)
		return err;

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

/* Reads every fact; see tlsr.h. One run of reads: the keys it opens are
 * opened once. */
tlsr_err tlsr_facts_read(struct tlsr_registry *reg, struct tlsr_facts *out)
{
	tlsr_err err;

	if (reg == NULL || out == NULL)
		return TLSR_EINVAL;
	tlsr_reg_batch_begin(reg);
	err = read_facts(reg, out);
	tlsr_reg_batch_end(reg);
	return err;
}

/* The row of the OS model for these facts. */
const struct tlsr_os *tlsr_facts_os(const struct tlsr_facts *f)
{
	return tlsr_os_find(f->os_known, f->os_major, f->os_minor, f->os_build,
			    f->is_server);
}

/* The row says whether WinHTTP needs the update (NT 6.1 and 6.2). */
int tlsr_facts_needs_kb3140245(const struct tlsr_facts *f)
{
	const char *kb = tlsr_facts_os(f)->winhttp_update;

	return kb != NULL && strcmp(kb, "KB3140245") == 0;
}

/* From the row: an unknown OS has TLS 1.2 off, so nothing is assumed. */
int tlsr_facts_tls12_default_on(const struct tlsr_facts *f)
{
	return (tlsr_facts_os(f)->schannel_client &
		TLSR_PROTO_BIT(TLSR_PROTO_TLS12)) != 0;
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
