/* tlsward: the Status key, over any registry backend. */
#include "status.h"

#include <stdio.h>
#include <string.h>
#include "bytes.h"

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

/* The proof values: set with a proof section, gone without one. */
static tlsr_err write_proof(struct tlsr_registry *reg, struct tlsr_key *key,
			    const struct tlsr_status *st)
{
	const struct {
		const char *name;
		const char *text;
	} strings[] = {
		{TLSR_ST_PROOF_TIME, st->proof_time},
		{TLSR_ST_PROOF_ENDPOINT, st->proof_endpoint},
		{TLSR_ST_PROOF_PROTOCOL, st->proof_protocol},
		{TLSR_ST_PROOF_RESULT, st->proof_result},
	};
	uint8_t buf[4096], dw[4];
	tlsr_err err;
	size_t i, n;

	if (!st->proof_listed) {
		for (i = 0; i < sizeof strings / sizeof strings[0]; i++) {
			err = reg->ops->delete_value(reg, key, strings[i].name);
			if (err != TLSR_OK && err != TLSR_ENOTFOUND)
				return err;
		}
		err = reg->ops->delete_value(reg, key, TLSR_ST_PROVEN);
		return err == TLSR_ENOTFOUND ? TLSR_OK : err;
	}
	tlsr_le32_put(dw, st->proven ? 1u : 0u);
	err = reg->ops->set_value(reg, key, TLSR_ST_PROVEN, TLSR_REG_DWORD, dw,
				  sizeof dw);
	for (i = 0; err == TLSR_OK && i < sizeof strings / sizeof strings[0];
	     i++) {
		n = tlsr_utf8_to_utf16le(strings[i].text, buf, sizeof buf);
		if (n == 0)
			return TLSR_EINVAL;
		err = reg->ops->set_value(reg, key, strings[i].name,
					  TLSR_REG_SZ, buf, n);
	}
	return err;
}

tlsr_err tlsr_status_write(struct tlsr_registry *reg,
			   const struct tlsr_status *st)
{
	static const char *const tls12_names[TLSR_COMP_COUNT] = {
		[TLSR_COMP_WINHTTP] = TLSR_ST_TLS12_WINHTTP,
		[TLSR_COMP_SCHANNEL] = TLSR_ST_TLS12_SCHANNEL,
		[TLSR_COMP_DOTNET] = TLSR_ST_TLS12_DOTNET,
	};
	const struct {
		const char *name;
		uint32_t value;
	} dwords[] = {
		{TLSR_ST_COMPLIANT, st->compliant ? 1u : 0u},
		{TLSR_ST_BLOCKED, st->blocked ? 1u : 0u},
		{TLSR_ST_READY_FOR_SERVER_TLS12, st->ready_for_server ? 1u : 0u},
		{tls12_names[TLSR_COMP_WINHTTP],
		 st->tls12[TLSR_COMP_WINHTTP] ? 1u : 0u},
		{tls12_names[TLSR_COMP_SCHANNEL],
		 st->tls12[TLSR_COMP_SCHANNEL] ? 1u : 0u},
		{tls12_names[TLSR_COMP_DOTNET],
		 st->tls12[TLSR_COMP_DOTNET] ? 1u : 0u},
		{TLSR_ST_DRIFTS, st->drifts},
		{TLSR_ST_REMEDIATIONS, st->remediations},
	};
	const struct {
		const char *name;
		const char *text;
	} strings[] = {
		{TLSR_ST_LAST_CHECK, st->last_check},
		{TLSR_ST_POLICY_SOURCE, st->policy_source},
		{TLSR_ST_POLICY_HASH, st->policy_hash},
		{TLSR_ST_MODE, st->mode},
		{TLSR_ST_BLOCKED_REASONS, st->blocked_reasons},
		{TLSR_ST_VERSION, TLSR_VERSION_STRING},
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

		tlsr_le32_put(data, dwords[i].value);
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
	err = write_proof(reg, key, st);
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
	if (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, TLSR_ST_DRIFTS,
			       &v) == TLSR_OK)
		*drifts = v;
	if (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			       TLSR_ST_REMEDIATIONS, &v) == TLSR_OK)
		*remediations = v;
}
