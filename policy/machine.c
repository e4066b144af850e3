/* tlsward: the machine's rules for policies, read from Parameters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "names.h"

#define FLOOR_LABEL "HKLM\\" TLSR_KEY_PARAMETERS "\\" TLSR_PARAM_FLOOR
#define KEY_LABEL "HKLM\\" TLSR_KEY_PARAMETERS "\\" TLSR_PARAM_POLICY_KEY

/* A value that holds the text itself (more than one line) or the path of
 * a file holding it. Returns a malloc'd copy of the text, or NULL with
 * why; *label names where the text came from. *absent is 1 when the
 * value is missing or empty. */
static char *text_or_file(struct tlsr_registry *reg, const char *name,
			  size_t max, size_t *len, char *label,
			  size_t label_size, int *absent, char *why,
			  size_t why_size)
{
	char *buf, *text;
	tlsr_err err;

	*absent = 0;
	buf = malloc(max + 1);
	if (buf == NULL) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	err = tlsr_reg_get_string(reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64, name,
				  buf, max + 1);
	if (err == TLSR_ENOTFOUND || (err == TLSR_OK && buf[0] == '\0')) {
		*absent = 1;
		free(buf);
		return NULL;
	}
	if (err != TLSR_OK) {
		snprintf(why, why_size, "cannot read the value: %s",
			 tlsr_strerror(err));
		free(buf);
		return NULL;
	}
	if (strchr(buf, '\n') != NULL) {
		*len = strlen(buf);
		return buf;
	}
	/* A path: the file is read each time, as the installer left it. */
	snprintf(label, label_size, "%s", buf);
	err = tlsr_accept_read_file(buf, max, &text, len);
	if (err != TLSR_OK)
		snprintf(why, why_size, "cannot read %s: %s", buf,
			 err == TLSR_EIO ? strerror(errno)
					 : tlsr_strerror(err));
	free(buf);
	return err == TLSR_OK ? text : NULL;
}

void tlsr_machine_rules_load(struct tlsr_registry *reg,
			     struct tlsr_machine_rules *m)
{
	char label[260], why[300], hex[65];
	char *text;
	size_t len = 0, i;
	int absent;
	uint32_t serial = 0;

	memset(m, 0, sizeof *m);
	snprintf(label, sizeof label, "%s", FLOOR_LABEL);
	text = text_or_file(reg, TLSR_PARAM_FLOOR, TLSR_FLOOR_MAX_BYTES, &len,
			    label, sizeof label, &absent, why, sizeof why);
	if (text != NULL) {
		if (tlsr_floor_load_buffer(label, text, len, &m->floor,
					   &m->broken_why) == TLSR_OK) {
			m->has_floor = 1;
			m->rules.floor = &m->floor;
		} else {
			m->broken = 1;
		}
		free(text);
	} else if (!absent) {
		m->broken = 1;
		tlsr_diag_set(&m->broken_why, label, 0, 0,
			      "the local floor is unusable: %s", why);
	}
	if (m->broken)
		return;
	snprintf(label, sizeof label, "%s", KEY_LABEL);
	text = text_or_file(reg, TLSR_PARAM_POLICY_KEY, TLSR_KEY_MAX_BYTES,
			    &len, label, sizeof label, &absent, why,
			    sizeof why);
	if (text == NULL && !absent) {
		m->broken = 1;
		tlsr_diag_set(&m->broken_why, label, 0, 0,
			      "the policy key is unusable: %s", why);
		return;
	}
	if (text != NULL) {
		if (tlsr_sig_key_check(text, len, why, sizeof why) != TLSR_OK) {
			m->broken = 1;
			tlsr_diag_set(&m->broken_why, label, 0, 0,
				      "the policy key is unusable: %s", why);
			free(text);
			return;
		}
		m->key = text;
		m->rules.key = text;
		m->rules.key_len = len;
	}
	if (tlsr_reg_get_dword(reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64,
			       TLSR_PARAM_POLICY_SERIAL, &serial) == TLSR_OK)
		m->rules.last_serial = serial;
	if (serial != 0 &&
	    tlsr_reg_get_string(reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64,
				TLSR_PARAM_POLICY_SHA256, hex,
				sizeof hex) == TLSR_OK &&
	    strlen(hex) == 64) {
		for (i = 0; i < 32; i++) {
			unsigned b;

			if (sscanf(hex + 2 * i, "%2x", &b) != 1)
				break;
			m->rules.last_digest[i] = (unsigned char)b;
		}
	}
}

void tlsr_machine_rules_free(struct tlsr_machine_rules *m)
{
	free(m->key);
	m->key = NULL;
	m->rules.key = NULL;
}

tlsr_err tlsr_machine_accept(const struct tlsr_machine_rules *m,
			     const char *label, const char *text, size_t len,
			     const void *sig, size_t sig_len,
			     struct tlsr_accepted *out, struct tlsr_diag *diag)
{
	char why[sizeof m->broken_why.message + 600];

	if (m->broken) {
		tlsr_diag_format(&m->broken_why, why, sizeof why);
		tlsr_diag_set(diag, label, 1, 1,
			      "refused while the machine's rules are unusable "
			      "(%.400s)",
			      why);
		return TLSR_EPOLICY;
	}
	return tlsr_policy_accept(label, text, len, sig, sig_len, &m->rules,
				  out, diag);
}

tlsr_err tlsr_machine_note_accepted(struct tlsr_registry *reg,
				    const struct tlsr_accepted *a)
{
	static const char digits[] = "0123456789abcdef";
	char hex[65];
	tlsr_err err;
	size_t i;

	if (!a->signed_ok)
		return TLSR_OK;
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[a->digest[i] >> 4];
		hex[2 * i + 1] = digits[a->digest[i] & 15];
	}
	hex[64] = '\0';
	/* The digest first: a serial without its digest would refuse the
	 * same policy read again. */
	err = tlsr_reg_set_string(reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64,
				  TLSR_PARAM_POLICY_SHA256, hex);
	if (err == TLSR_OK)
		err = tlsr_reg_set_dword(reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64,
					 TLSR_PARAM_POLICY_SERIAL, a->serial);
	return err;
}

void tlsr_machine_describe(const struct tlsr_machine_rules *m, char *floor,
			   size_t floor_size, char *key, size_t key_size)
{
	char rules[400];

	if (m->broken) {
		tlsr_diag_format(&m->broken_why, floor, floor_size);
		snprintf(key, key_size, "unusable: see the floor line");
		return;
	}
	if (m->has_floor) {
		tlsr_floor_describe(&m->floor, rules, sizeof rules);
		snprintf(floor, floor_size, "%s (%s)", rules, m->floor.label);
	} else {
		snprintf(floor, floor_size, "none");
	}
	if (m->key != NULL)
		snprintf(key, key_size,
			 "installed: signed policies only, last serial %u",
			 m->rules.last_serial);
	else
		snprintf(key, key_size, "none: unsigned policies accepted");
}

tlsr_err tlsr_machine_prepare(const char *floor_path, const char *key_path,
			      char **floor_text, char **key_text,
			      struct tlsr_diag *diag)
{
	struct tlsr_floor floor;
	char why[256];
	size_t len;
	tlsr_err err;

	*floor_text = NULL;
	*key_text = NULL;
	if (floor_path != NULL) {
		err = tlsr_accept_read_file(floor_path, TLSR_FLOOR_MAX_BYTES,
					    floor_text, &len);
		if (err != TLSR_OK) {
			tlsr_diag_set(diag, floor_path, 0, 0,
				      "cannot read the floor: %s",
				      err == TLSR_EIO ? strerror(errno)
						      : tlsr_strerror(err));
			return err;
		}
		err = tlsr_floor_load_buffer(floor_path, *floor_text, len,
					     &floor, diag);
		/* Stored as text, the value must read back as text: one
		 * line would be taken for a path. */
		if (err == TLSR_OK && strchr(*floor_text, '\n') == NULL) {
			tlsr_diag_set(diag, floor_path, 1, 1,
				      "a floor file has more than one line");
			err = TLSR_EPOLICY;
		}
		if (err != TLSR_OK) {
			free(*floor_text);
			*floor_text = NULL;
			return err;
		}
	}
	if (key_path != NULL) {
		err = tlsr_accept_read_file(key_path, TLSR_KEY_MAX_BYTES,
					    key_text, &len);
		if (err == TLSR_OK &&
		    tlsr_sig_key_check(*key_text, len, why, sizeof why) !=
			    TLSR_OK) {
			tlsr_diag_set(diag, key_path, 0, 0, "%s", why);
			err = TLSR_EPOLICY;
		} else if (err != TLSR_OK) {
			tlsr_diag_set(diag, key_path, 0, 0,
				      "cannot read the key: %s",
				      err == TLSR_EIO ? strerror(errno)
						      : tlsr_strerror(err));
		}
		if (err != TLSR_OK) {
			free(*key_text);
			*key_text = NULL;
			free(*floor_text);
			*floor_text = NULL;
			return err;
		}
	}
	return TLSR_OK;
}
