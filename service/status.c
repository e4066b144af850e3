/* tlsward: the Status key, over any registry backend. */
#include "status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"

/* The risks as "severity id: message" entries. Those that do not fit are
 * counted in a last entry rather than dropped unsaid. */
static void risks_from_report(struct tlsr_status *st,
			      const struct tlsr_report *r)
{
	/* Room kept for the entry that counts what did not fit. */
	const size_t reserve = 96;
	size_t i, at = 0, left = 0;
	int n;

	st->risk_critical = r->critical;
	for (i = 0; i < r->n_risks; i++) {
		const struct tlsr_risk *k = &r->risks[i];

		n = snprintf(st->risks + at, sizeof st->risks - reserve - at,
			     "%s %s: %s", tlsr_severity_name(k->severity), k->id,
			     k->message);
		if (n < 0 || (size_t)n + 1 > sizeof st->risks - reserve - at) {
			left = r->n_risks - i;
			break;
		}
		at += (size_t)n + 1;
	}
	if (left > 0) {
		n = snprintf(st->risks + at, sizeof st->risks - at,
			     "info more-risks: %zu more; tlsward check lists "
			     "them all",
			     left);
		at += (size_t)n + 1;
	}
	st->risks[at] = '\0';
	st->risks_len = at;
}

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
	risks_from_report(st, r);
}

/* Writes text as REG_SZ, or removes the value when text is "" and
 * optional. */
static tlsr_err put_text(struct tlsr_registry *reg, struct tlsr_key *key,
			 const char *name, const char *text, int optional)
{
	uint8_t buf[4096];
	size_t n;
	tlsr_err err;

	if (optional && text[0] == '\0') {
		err = reg->ops->delete_value(reg, key, name);
		return err == TLSR_ENOTFOUND ? TLSR_OK : err;
	}
	n = tlsr_utf8_to_utf16le(text, buf, sizeof buf);
	if (n == 0)
		return tlsr_reg_fail(reg, TLSR_EINVAL, 0,
				     "Status value \"%s\" is not valid UTF-8 "
				     "or longer than %zu bytes",
				     name, sizeof buf / 2);
	return reg->ops->set_value(reg, key, name, TLSR_REG_SZ, buf, n);
}

/* Writes a NUL-separated list of len bytes as REG_MULTI_SZ, or removes the
 * value when the list is empty. */
static tlsr_err put_multi(struct tlsr_registry *reg, struct tlsr_key *key,
			  const char *name, const char *list, size_t len)
{
	uint8_t buf[4096];
	size_t at = 0, i = 0, n;
	tlsr_err err;

	if (len == 0 || list[0] == '\0') {
		err = reg->ops->delete_value(reg, key, name);
		return err == TLSR_ENOTFOUND ? TLSR_OK : err;
	}
	while (i < len && list[i] != '\0') {
		n = tlsr_utf8_to_utf16le(list + i, buf + at,
					 sizeof buf - at - 2);
		if (n == 0)
			return tlsr_reg_fail(reg, TLSR_ERANGE, 0,
					     "Status value \"%s\" does not fit "
					     "in %zu bytes",
					     name, sizeof buf);
		at += n;
		i += strlen(list + i) + 1;
	}
	buf[at++] = 0;
	buf[at++] = 0;
	return reg->ops->set_value(reg, key, name, TLSR_REG_MULTI_SZ, buf, at);
}

/* Writes a size in bytes as REG_QWORD, or removes the value when it is 0
 * (not known). */
static tlsr_err put_bytes(struct tlsr_registry *reg, struct tlsr_key *key,
			  const char *name, uint64_t bytes)
{
	uint8_t data[8];
	tlsr_err err;

	if (bytes == 0) {
		err = reg->ops->delete_value(reg, key, name);
		return err == TLSR_ENOTFOUND ? TLSR_OK : err;
	}
	tlsr_le64_put(data, bytes);
	return reg->ops->set_value(reg, key, name, TLSR_REG_QWORD, data,
				   sizeof data);
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
	const struct {
		const char *name;
		uint32_t value;
	} dwords[] = {
		{TLSR_ST_COMPLIANT, st->compliant ? 1u : 0u},
		{TLSR_ST_BLOCKED, st->blocked ? 1u : 0u},
		{TLSR_ST_READY_FOR_SERVER_TLS12, st->ready_for_server ? 1u : 0u},
		{TLSR_ST_READY_FOR_SERVER, st->ready ? 1u : 0u},
		{TLSR_ST_TLS12_WINHTTP, st->tls12[TLSR_COMP_WINHTTP] ? 1u : 0u},
		{TLSR_ST_TLS12_SCHANNEL,
		 st->tls12[TLSR_COMP_SCHANNEL] ? 1u : 0u},
		{TLSR_ST_TLS12_DOTNET, st->tls12[TLSR_COMP_DOTNET] ? 1u : 0u},
		{TLSR_ST_DRIFTS, st->drifts},
		{TLSR_ST_REMEDIATIONS, st->remediations},
		{TLSR_ST_CONFLICTS, st->conflicts},
		{TLSR_ST_PASSES, st->passes},
		{TLSR_ST_RESTART_PENDING, st->restart_pending ? 1u : 0u},
		{TLSR_ST_RISK_CRITICAL, st->risk_critical ? 1u : 0u},
	};
	const struct {
		const char *name;
		const char *text;
		int optional;
	} strings[] = {
		{TLSR_ST_POLICY_SOURCE, st->policy_source, 0},
		{TLSR_ST_POLICY_HASH, st->policy_hash, 0},
		{TLSR_ST_POLICY_CACHE_SOURCE, st->policy_cache_source, 1},
		{TLSR_ST_MODE, st->mode, 0},
		{TLSR_ST_BLOCKED_REASONS, st->blocked_reasons, 0},
		{TLSR_ST_LAST_ERROR, st->last_error, 0},
		{TLSR_ST_RESTART_REASON, st->restart_reason, 1},
		{TLSR_ST_RESTART_TIME, st->restart_time, 1},
		{TLSR_ST_RESTART_BOOT_ID, st->restart_boot_id, 1},
		{TLSR_ST_RESTART_ATTEMPT, st->restart_attempt, 1},
		{TLSR_ST_VERSION, TLSR_VERSION_STRING, 0},
	};
	struct tlsr_key *key = NULL;
	tlsr_err err;
	size_t i;

	/* One open key for all values: the Status write runs after every
	 * check, so it must stay cheap. */
	err = reg->ops->open_key(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, 1, &key);
	if (err != TLSR_OK)
		return err;
	err = reg->ops->delete_value(reg, key, TLSR_ST_LAST_CHECK);
	if (err != TLSR_OK && err != TLSR_ENOTFOUND)
		goto out;
	for (i = 0; i < sizeof dwords / sizeof dwords[0]; i++) {
		uint8_t data[4];

		tlsr_le32_put(data, dwords[i].value);
		err = reg->ops->set_value(reg, key, dwords[i].name,
					  TLSR_REG_DWORD, data, sizeof data);
		if (err != TLSR_OK)
			goto out;
	}
	for (i = 0; i < sizeof strings / sizeof strings[0]; i++) {
		err = put_text(reg, key, strings[i].name, strings[i].text,
			       strings[i].optional);
		if (err != TLSR_OK)
			goto out;
	}
	err = write_proof(reg, key, st);
	if (err != TLSR_OK)
		goto out;
	err = put_multi(reg, key, TLSR_ST_RESTART_OWED, st->restart_owed,
			st->restart_owed_len);
	if (err != TLSR_OK)
		goto out;
	err = put_multi(reg, key, TLSR_ST_RISKS, st->risks, st->risks_len);
	if (err != TLSR_OK)
		goto out;
	err = put_bytes(reg, key, TLSR_ST_PRIVATE_BYTES, st->private_bytes);
	if (err != TLSR_OK)
		goto out;
	err = put_bytes(reg, key, TLSR_ST_WORKING_SET, st->working_set);
	if (err != TLSR_OK)
		goto out;
	err = put_text(reg, key, TLSR_ST_LAST_CHECK, st->last_check, 0);
out:
	reg->ops->close_key(reg, key);
	return err;
}

tlsr_err tlsr_status_write_counters(struct tlsr_registry *reg,
				    const struct tlsr_status *st)
{
	const struct {
		const char *name;
		uint32_t value;
	} dwords[] = {
		{TLSR_ST_DRIFTS, st->drifts},
		{TLSR_ST_REMEDIATIONS, st->remediations},
		{TLSR_ST_CONFLICTS, st->conflicts},
	};
	struct tlsr_key *key = NULL;
	tlsr_err err;
	size_t i;

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
	err = put_text(reg, key, TLSR_ST_LAST_CHECK, st->last_check, 0);
out:
	reg->ops->close_key(reg, key);
	return err;
}

void tlsr_status_read(struct tlsr_registry *reg, struct tlsr_status *st)
{
	const struct {
		const char *name;
		unsigned *out;
	} counters[] = {
		{TLSR_ST_DRIFTS, &st->drifts},
		{TLSR_ST_REMEDIATIONS, &st->remediations},
		{TLSR_ST_CONFLICTS, &st->conflicts},
		{TLSR_ST_PASSES, &st->passes},
	};
	uint32_t v;
	size_t i;

	for (i = 0; i < sizeof counters / sizeof counters[0]; i++)
		if (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				       counters[i].name, &v) == TLSR_OK)
			*counters[i].out = v;
	if (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			       TLSR_ST_RESTART_PENDING, &v) == TLSR_OK)
		st->restart_pending = v != 0;
	tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			    TLSR_ST_RESTART_REASON, st->restart_reason,
			    sizeof st->restart_reason);
	tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			    TLSR_ST_RESTART_TIME, st->restart_time,
			    sizeof st->restart_time);
	tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			    TLSR_ST_RESTART_BOOT_ID, st->restart_boot_id,
			    sizeof st->restart_boot_id);
	tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			    TLSR_ST_RESTART_ATTEMPT, st->restart_attempt,
			    sizeof st->restart_attempt);
	tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			    TLSR_ST_POLICY_CACHE_SOURCE, st->policy_cache_source,
			    sizeof st->policy_cache_source);
}
