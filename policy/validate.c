/* tlsward: the safety floor. Runs on the whole policy (defaults merged with
 * the file), so a rule can join keys set far apart; each error points at
 * the node that broke it, and when several rules break the first one in the
 * file is reported, as a reader would meet it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy_internal.h"

struct floor {
	const struct tlsr_policy *p;
	const struct pmarks *m;
	int failed;
	struct pmark at;
	char message[512];
};

static int before(struct pmark a, struct pmark b)
{
	if (a.line == 0)
		return 0;
	if (b.line == 0)
		return 1;
	return a.line < b.line || (a.line == b.line && a.col < b.col);
}

/* Keeps the earliest error. */
static void report(struct floor *fl, struct pmark at, const char *fmt, ...)
	TLSR_PRINTF(3, 4);

static void report(struct floor *fl, struct pmark at, const char *fmt, ...)
{
	va_list ap;

	if (fl->failed && !before(at, fl->at))
		return;
	fl->failed = 1;
	fl->at = at;
	va_start(ap, fmt);
	vsnprintf(fl->message, sizeof fl->message, fmt, ap);
	va_end(ap);
}

/* Where a list item came from: its own node, else the list, else the
 * key. Line 0 when the file does not set the key. */
static struct pmark item_at(const struct floor *fl, enum pf id,
			    enum tlsr_proto proto)
{
	if (fl->m->item[id][proto].line != 0)
		return fl->m->item[id][proto];
	return fl->m->value[id];
}

static int in_file(const struct floor *fl, enum pf id)
{
	return fl->m->key[id].line != 0;
}

/* " (at 4:9)" or " (by default)" for messages naming a second key. */
static void origin(const struct floor *fl, enum pf id, enum tlsr_proto proto,
		   char *buf, size_t size)
{
	struct pmark at = item_at(fl, id, proto);

	if (at.line != 0)
		snprintf(buf, size, " (at %u:%u)", at.line, at.col);
	else
		snprintf(buf, size, " (by default)");
}

static void check_ssl2(struct floor *fl)
{
	const struct tlsr_policy *p = fl->p;
	enum tlsr_proto s2 = TLSR_PROTO_SSL2;

	if (p->schannel.enable & TLSR_PROTO_BIT(s2))
		report(fl, item_at(fl, PF_SCHANNEL_ENABLE, s2),
		       "schannel.enable must not contain ssl2: SSL 2.0 "
		       "stays off");
	if (p->winhttp.keep & TLSR_PROTO_BIT(s2))
		report(fl, item_at(fl, PF_WINHTTP_KEEP, s2),
		       "winhttp.keep must not contain ssl2: SSL 2.0 stays off");
	if (p->winhttp.default_secure_protocols & tlsr_proto_winhttp_bit(s2))
		report(fl, item_at(fl, PF_WINHTTP_DSP, s2),
		       "winhttp.default_secure_protocols must not include "
		       "ssl2 (0x8): SSL 2.0 stays off");
}

static void check_tls12(struct floor *fl)
{
	const struct tlsr_policy *p = fl->p;
	enum tlsr_proto t12 = TLSR_PROTO_TLS12;
	uint32_t dsp = p->winhttp.default_secure_protocols;

	if (p->schannel.disable & TLSR_PROTO_BIT(t12))
		report(fl, item_at(fl, PF_SCHANNEL_DISABLE, t12),
		       "schannel.disable must not contain tls1.2: TLS 1.2 "
		       "stays on");
	if (!(dsp & tlsr_proto_winhttp_bit(t12)))
		report(fl, fl->m->value[PF_WINHTTP_DSP],
		       "winhttp.default_secure_protocols 0x%X leaves out "
		       "tls1.2 (0x800): that turns TLS 1.2 off for WinHTTP",
		       (unsigned)dsp);
}

/* Kept protocols stay in the WinHTTP target and out of schannel.disable;
 * nothing is both enabled and disabled. */
static void check_contradictions(struct floor *fl)
{
	const struct tlsr_policy *p = fl->p;
	uint32_t dsp = p->winhttp.default_secure_protocols;
	char where[32];
	unsigned i;

	for (i = 0; i < TLSR_PROTO_COUNT; i++) {
		enum tlsr_proto pr = (enum tlsr_proto)i;
		const char *name = tlsr_proto_name(pr);
		unsigned bit = TLSR_PROTO_BIT(pr);

		if ((p->winhttp.keep & bit) && pr != TLSR_PROTO_SSL2 &&
		    !(dsp & tlsr_proto_winhttp_bit(pr))) {
			if (in_file(fl, PF_WINHTTP_DSP)) {
				origin(fl, PF_WINHTTP_KEEP, pr, where,
				       sizeof where);
				report(fl, fl->m->value[PF_WINHTTP_DSP],
				       "winhttp.default_secure_protocols 0x%X "
				       "leaves out %s, which winhttp.keep "
				       "lists%s",
				       (unsigned)dsp, name, where);
			} else {
				report(fl, item_at(fl, PF_WINHTTP_KEEP, pr),
				       "winhttp.keep lists %s, which "
				       "winhttp.default_secure_protocols "
				       "0x%X (by default) leaves out",
				       name, (unsigned)dsp);
			}
		}
		if ((p->winhttp.keep & bit) && (p->schannel.disable & bit) &&
		    pr != TLSR_PROTO_SSL2) {
			if (in_file(fl, PF_SCHANNEL_DISABLE)) {
				origin(fl, PF_WINHTTP_KEEP, pr, where,
				       sizeof where);
				report(fl, item_at(fl, PF_SCHANNEL_DISABLE, pr),
				       "schannel.disable turns off %s, which "
				       "winhttp.keep lists%s",
				       name, where);
			} else {
				report(fl, item_at(fl, PF_WINHTTP_KEEP, pr),
				       "winhttp.keep lists %s, which "
				       "schannel.disable (by default) turns "
				       "off",
				       name);
			}
		}
		if ((p->schannel.enable & bit) && (p->schannel.disable & bit) &&
		    pr != TLSR_PROTO_SSL2 && pr != TLSR_PROTO_TLS12) {
			if (in_file(fl, PF_SCHANNEL_DISABLE)) {
				origin(fl, PF_SCHANNEL_ENABLE, pr, where,
				       sizeof where);
				report(fl, item_at(fl, PF_SCHANNEL_DISABLE, pr),
				       "%s is in both schannel.enable%s and "
				       "schannel.disable",
				       name, where);
			} else {
				report(fl, item_at(fl, PF_SCHANNEL_ENABLE, pr),
				       "%s is in both schannel.enable and "
				       "schannel.disable (by default)",
				       name);
			}
		}
	}
}

static void check_timing(struct floor *fl)
{
	const struct tlsr_policy *p = fl->p;
	char jitter[32], interval[32];
	struct pmark at;

	if (p->check.jitter <= p->check.interval)
		return;
	policy_format_duration(p->check.jitter, jitter, sizeof jitter);
	policy_format_duration(p->check.interval, interval, sizeof interval);
	at = in_file(fl, PF_CHECK_JITTER) ? fl->m->value[PF_CHECK_JITTER]
					  : fl->m->value[PF_CHECK_INTERVAL];
	report(fl, at, "check.jitter %s is longer than check.interval %s",
	       jitter, interval);
}

int policy_validate(const struct tlsr_policy *p, const struct pmarks *marks,
		    const char *label, struct tlsr_diag *diag)
{
	struct floor fl;

	memset(&fl, 0, sizeof fl);
	fl.p = p;
	fl.m = marks;
	if (p->schannel.sides == 0)
		report(&fl, marks->value[PF_SCHANNEL_SIDES],
		       "schannel.sides must name client, server or both");
	check_ssl2(&fl);
	check_tls12(&fl);
	check_contradictions(&fl);
	check_timing(&fl);
	if (!fl.failed)
		return 0;
	tlsr_diag_set(diag, label, fl.at.line, fl.at.col, "%s", fl.message);
	return -1;
}
