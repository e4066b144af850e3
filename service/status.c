/* tlsward: the Status key, over any registry backend. */
#include "status.h"

#include <stdio.h>
#include <string.h>

void tlsr_status_from_report(struct tlsr_status *st,
			     const struct tlsr_report *r)
{
	int c;

	st->compliant = r->compliant;
	st->blocked = r->blocked;
	snprintf(st->blocked_reasons, sizeof st->blocked_reasons, "%s",
		 r->blocked_reasons);
	st->ready_for_server = r->ready_for_server;
	for (c = 0; c < TLSR_COMP_COUNT; c++)
		st->tls12[c] = r->tls12[c];
}

tlsr_err tlsr_status_write(struct tlsr_registry *reg,
			   const struct tlsr_status *st)
{
	static const char *const tls12_names[TLSR_COMP_COUNT] = {
		[TLSR_COMP_WINHTTP] = "Tls12WinHttp",
		[TLSR_COMP_SCHANNEL] = "Tls12Schannel",
		[TLSR_COMP_DOTNET] = "Tls12DotNet",
	};
	const struct {
		const char *name;
		uint32_t value;
	} dwords[] = {
		{"Compliant", st->compliant ? 1u : 0u},
		{"Blocked", st->blocked ? 1u : 0u},
		{"ReadyForServerTls12", st->ready_for_server ? 1u : 0u},
		{tls12_names[TLSR_COMP_WINHTTP],
		 st->tls12[TLSR_COMP_WINHTTP] ? 1u : 0u},
		{tls12_names[TLSR_COMP_SCHANNEL],
		 st->tls12[TLSR_COMP_SCHANNEL] ? 1u : 0u},
		{tls12_names[TLSR_COMP_DOTNET],
		 st->tls12[TLSR_COMP_DOTNET] ? 1u : 0u},
		{"Drifts", st->drifts},
		{"Remediations", st->remediations},
	};
	const struct {
		const char *name;
		const char *text;
	} strings[] = {
		{"LastCheck", st->last_check},
		{"PolicySource", st->policy_source},
		{"PolicyHash", st->policy_hash},
		{"Mode", st->mode},
		{"BlockedReasons", st->blocked_reasons},
		{"Version", TLSR_VERSION_STRING},
	};
	struct tlsr_key *key = NULL;
	tlsr_err err;
	size_t i;

	/* One open key for all values: the Status write runs after every
	 * check, so it must stay cheap. */
	err = reg->ops->open_key(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, 1, &key);
	if (err != TLSR_OK)
		return err;
	for (i = 0; i < sizeof dwords / sizeof dwords[0]; i++) {
		uint8_t data[4];

		data[0] = (uint8_t)(dwords[i].value & 0xff);
		data[1] = (uint8_t)((dwords[i].value >> 8) & 0xff);
		data[2] = (uint8_t)((dwords[i].value >> 16) & 0xff);
		data[3] = (uint8_t)((dwords[i].value >> 24) & 0xff);
		err = reg->ops->set_value(reg, key, dwords[i].name,
					  TLSR_REG_DWORD, data, sizeof data);
		if (err != TLSR_OK)
			goto out;
	}
	for (i = 0; i < sizeof strings / sizeof strings[0]; i++) {
		uint8_t buf[4096];
		size_t n = tlsr_utf8_to_utf16le(strings[i].text, buf,
						sizeof buf);

		if (n == 0) {
			err = TLSR_EINVAL;
			goto out;
		}
		err = reg->ops->set_value(reg, key, strings[i].name,
					  TLSR_REG_SZ, buf, n);
		if (err != TLSR_OK)
			goto out;
	}
out:
	reg->ops->close_key(reg, key);
	return err;
}

void tlsr_status_read_counters(struct tlsr_registry *reg, unsigned *drifts,
			       unsigned *remediations)
{
	uint32_t v;

	*drifts = 0;
	*remediations = 0;
	if (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, "Drifts",
			       &v) == TLSR_OK)
		*drifts = v;
	if (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			       "Remediations", &v) == TLSR_OK)
		*remediations = v;
}
