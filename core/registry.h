/* tlsward: the registry as a function table.
 *
 * Paths are relative to HKEY_LOCAL_MACHINE ("SOFTWARE\\Microsoft\\..."),
 * UTF-8, with backslash separators, and never name Wow6432Node: the view
 * selects the 32-bit or 64-bit half of a redirected key. Names of keys and
 * values compare case-insensitively. Value data are raw bytes exactly as
 * Windows stores them (strings as UTF-16LE with their terminator).
 *
 * Backends: in-memory (registry_mem.c), a .reg file (registry_regfile.c, an
 * in-memory registry read from and written to regedit's format), Win32
 * (win/registry_win32.c, Windows builds only), and a fault-injecting wrapper
 * around any of them (registry_fault.c). */
#ifndef TLSR_REGISTRY_H
#define TLSR_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum tlsr_view {
	TLSR_VIEW_NONE = 0, /* the key is not redirected: one view */
	TLSR_VIEW_64 = 64,
	TLSR_VIEW_32 = 32,
};

/* Windows value types (REG_*), same numbers. */
enum {
	TLSR_REG_NONE = 0,
	TLSR_REG_SZ = 1,
	TLSR_REG_EXPAND_SZ = 2,
	TLSR_REG_BINARY = 3,
	TLSR_REG_DWORD = 4,
	TLSR_REG_DWORD_BIG_ENDIAN = 5,
	TLSR_REG_LINK = 6,
	TLSR_REG_MULTI_SZ = 7,
	TLSR_REG_RESOURCE_LIST = 8,
	TLSR_REG_FULL_RESOURCE_DESCRIPTOR = 9,
	TLSR_REG_RESOURCE_REQUIREMENTS_LIST = 10,
	TLSR_REG_QWORD = 11,
};

/* Longest key or value name tlsward handles, in bytes of UTF-8. */
#define TLSR_REG_NAME_MAX 1024

/* A value read from a backend. data is owned by the value: release it with
 * tlsr_value_clear. */
struct tlsr_value {
	uint32_t type;
	size_t size;
	uint8_t *data;
};

/* An open key; its layout belongs to the backend that opened it. */
struct tlsr_key;
struct tlsr_registry;

struct tlsr_registry_ops {
	const char *name; /* "memory", "regfile", "win32", "fault" */
	/* Opens path in view; with create, missing keys (and parents) are
	 * created. TLSR_ENOTFOUND when absent and not created. */
	tlsr_err (*open_key)(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view, int create,
			     struct tlsr_key **out);
	void (*close_key)(struct tlsr_registry *reg, struct tlsr_key *key);
	/* Copies a value out; caller clears it. TLSR_ENOTFOUND when absent.
	 * name "" is the key's default value. */
	tlsr_err (*get_value)(struct tlsr_registry *reg, struct tlsr_key *key,
			      const char *name, struct tlsr_value *out);
	tlsr_err (*set_value)(struct tlsr_registry *reg, struct tlsr_key *key,
			      const char *name, uint32_t type,
			      const void *data, size_t size);
	/* TLSR_ENOTFOUND when the value is absent. */
	tlsr_err (*delete_value)(struct tlsr_registry *reg,
				 struct tlsr_key *key, const char *name);
	/* Name of the index-th subkey / value (0-based, backend order) into
	 * buf. TLSR_ENOTFOUND past the end, TLSR_ERANGE if buf is short. */
	tlsr_err (*enum_subkey)(struct tlsr_registry *reg, struct tlsr_key *key,
				size_t index, char *buf, size_t size);
	tlsr_err (*enum_value)(struct tlsr_registry *reg, struct tlsr_key *key,
			       size_t index, char *buf, size_t size);
	/* Deletes path and everything below it. TLSR_ENOTFOUND if absent. */
	tlsr_err (*delete_key)(struct tlsr_registry *reg, const char *path,
			       enum tlsr_view view);
	/* Arms a one-shot change notification on key (its values and its
	 * subtree) that signals event, a Win32 HANDLE. TLSR_EUNSUPPORTED on
	 * backends without notifications. */
	tlsr_err (*watch)(struct tlsr_registry *reg, struct tlsr_key *key,
			  void *event);
	/* Frees the backend and everything it owns. */
	void (*destroy)(struct tlsr_registry *reg);
	/* Optional (NULL: nothing to do). begin 1 opens and 0 ends a run
	 * of reads (a check, the facts): until it ends, the backend may keep
	 * the keys it opened and the values it read, and what it found
	 * absent, and answer a later open or read of the same key, view and
	 * value from them instead of asking the registry again: a run reads
	 * one picture of the registry. Every op is still called and answers
	 * as it did the first time (a key deleted meanwhile by another
	 * program is opened again). A write, creation or deletion through
	 * the backend forgets what was kept. Runs nest; what was kept is
	 * released when the outermost ends. */
	void (*batch)(struct tlsr_registry *reg, int begin);
};

struct tlsr_registry {
	const struct tlsr_registry_ops *ops;
	void *impl;
	/* Set by a backend when a call fails: the native code (LSTATUS,
	 * errno) and a message for the user; sys_code 0 when none. */
	long sys_code;
	char message[256];
};

/* Releases a value's data and zeroes it; NULL-safe. */
void tlsr_value_clear(struct tlsr_value *value);

/* A view as reports and events spell it: "64", "32", or "-" for a key
 * with one view. */
const char *tlsr_view_name(enum tlsr_view view);

/* Destroys any backend; NULL-safe. */
void tlsr_registry_destroy(struct tlsr_registry *reg);

/* Records a backend failure on reg (sys_code, printf-style message) and
 * returns err, so a backend can write `return tlsr_reg_fail(...)`. */
tlsr_err tlsr_reg_fail(struct tlsr_registry *reg, tlsr_err err, long sys_code,
		       const char *fmt, ...)
	TLSR_PRINTF(4, 5);

/* A run of reads (ops->batch); NULL-safe, and nothing on a backend
 * without batch. Each begin needs its end. */
void tlsr_reg_batch_begin(struct tlsr_registry *reg);
void tlsr_reg_batch_end(struct tlsr_registry *reg);

/* Registry calls by kind: the operations a caller made (the fault
 * wrapper) or the Reg* API calls a backend made (Win32). */
struct tlsr_reg_counts {
	unsigned long open;	 /* open_key; RegOpenKeyExW, RegCreateKeyExW */
	unsigned long query;	 /* get_value; RegQueryValueExW */
	unsigned long enumerate; /* enum_subkey, enum_value */
	unsigned long close;	 /* close_key; RegCloseKey */
	unsigned long other;	 /* writes, deletions, watches */
};

/* Path-level helpers over the ops: open, act, close. */
tlsr_err tlsr_reg_get(struct tlsr_registry *reg, const char *path,
		      enum tlsr_view view, const char *name,
		      struct tlsr_value *out);
/* TLSR_ETYPE when the value exists but is not a 4-byte REG_DWORD. */
tlsr_err tlsr_reg_get_dword(struct tlsr_registry *reg, const char *path,
			    enum tlsr_view view, const char *name,
			    uint32_t *out);
/* A DWORD as a check reads it: 1 present (in *out), 0 absent, -1 present
 * with another type. A backend failure goes to *err and the read returns 0;
 * once *err holds a failure it returns 0 without reading, so reg keeps
 * that failure's message for the caller to report. */
int tlsr_reg_read_dword(struct tlsr_registry *reg, const char *path,
			enum tlsr_view view, const char *name, uint32_t *out,
			tlsr_err *err);
/* Reads REG_SZ / REG_EXPAND_SZ as UTF-8 into buf. TLSR_ETYPE otherwise. */
tlsr_err tlsr_reg_get_string(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view, const char *name, char *buf,
			     size_t size);
/* Creates the key when needed. */
tlsr_err tlsr_reg_set(struct tlsr_registry *reg, const char *path,
		      enum tlsr_view view, const char *name, uint32_t type,
		      const void *data, size_t size);
tlsr_err tlsr_reg_set_dword(struct tlsr_registry *reg, const char *path,
			    enum tlsr_view view, const char *name,
			    uint32_t value);
/* Stores UTF-8 text as REG_SZ (UTF-16LE with terminator). */
tlsr_err tlsr_reg_set_string(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view, const char *name,
			     const char *text);
tlsr_err tlsr_reg_delete_value(struct tlsr_registry *reg, const char *path,
			       enum tlsr_view view, const char *name);
/* TLSR_OK when the key exists, TLSR_ENOTFOUND when not. */
tlsr_err tlsr_reg_key_exists(struct tlsr_registry *reg, const char *path,
			     enum tlsr_view view);

/* UTF-8 <-> UTF-16LE for value data. Return the bytes written (including the
 * terminator) or 0 when buf is too small or the input is malformed. */
size_t tlsr_utf8_to_utf16le(const char *text, uint8_t *buf, size_t size);
size_t tlsr_utf16le_to_utf8(const uint8_t *data, size_t len, char *buf,
			    size_t size);

/* In-memory backend; NULL when out of memory. Caller destroys it. */
struct tlsr_registry *tlsr_registry_mem_new(void);

/* .reg files as regedit writes them. */
enum tlsr_regfile_format {
	TLSR_REGFILE_V5,   /* "Windows Registry Editor Version 5.00", UTF-16LE,
			    * BOM, CRLF */
	TLSR_REGFILE_REG4, /* "REGEDIT4", ANSI (the code page it was read in,
			    * Windows-1252 by default), CRLF */
};

/* Largest .reg file read, in bytes. */
#define TLSR_REGFILE_MAX_BYTES (256u * 1024u * 1024u)

/* Reads a .reg file into a new in-memory registry (named "regfile"). Parse
 * errors fill diag with FILE:LINE:COL and return TLSR_EPARSE; nothing is
 * returned on failure. Caller destroys *out. Keys outside
 * HKEY_LOCAL_MACHINE are kept and written back but not addressable. */
tlsr_err tlsr_regfile_read(const char *path, struct tlsr_registry **out,
			   struct tlsr_diag *diag);
/* The same from a buffer already in memory; label names it in diag. */
tlsr_err tlsr_regfile_parse(const char *label, const uint8_t *buf, size_t len,
			    struct tlsr_registry **out, struct tlsr_diag *diag);

/* A key a reader keeps (struct tlsr_regfile_options.keep). */
struct tlsr_regfile_keep {
	const char *path;    /* HKLM-relative, as the ops take it */
	enum tlsr_view view; /* the view path is read in */
	int subtree;	     /* 1: the key and everything below it; 0: the
			      * key and its values */
};

/* How a .reg file is read (docs/regfile.md). A NULL options pointer, or
 * zeroed options, read as regedit on a Western European Windows does. */
struct tlsr_regfile_options {
	/* The ANSI code page of a file without a UTF-16 byte order mark:
	 * 0 for 1252; 874, 1250-1258 or 28591; or 65001 to read UTF-8 (with
	 * or without its BOM), which regedit itself never does. */
	unsigned codepage;
	/* Called with FILE:LINE:COL and the reason for every line whose
	 * setting regedit would not import, or that tlsward does not count
	 * as set because Windows' reading of it is unverified. May be
	 * NULL. */
	void (*warn)(void *ctx, const struct tlsr_diag *where);
	void *warn_ctx;
	/* With n_keep > 0, the registry holds only these keys (every line
	 * is still read, checked and warned about as without them): a
	 * check reads a few dozen keys of an export of 100,000. An op that
	 * asks for anything else reads the whole file first, so its answer
	 * is the same either way (the buffer readers have no file to read
	 * and fail it with TLSR_EUNSUPPORTED). tlsr_regfile_write refuses
	 * such a registry until it holds the whole file. */
	const struct tlsr_regfile_keep *keep;
	size_t n_keep;
};
tlsr_err tlsr_regfile_read_with(const char *path,
				const struct tlsr_regfile_options *opts,
				struct tlsr_registry **out,
				struct tlsr_diag *diag);
tlsr_err tlsr_regfile_parse_with(const char *label, const uint8_t *buf,
				 size_t len,
				 const struct tlsr_regfile_options *opts,
				 struct tlsr_registry **out,
				 struct tlsr_diag *diag);
/* Format the registry was read in (V5 for one made otherwise). */
enum tlsr_regfile_format tlsr_regfile_format_of(const struct tlsr_registry *reg);
/* Writes every key of a memory or regfile registry to path in fmt, through a
 * temporary file renamed into place, so a failure leaves no partial file.
 * A tree that REGEDIT4 cannot carry exactly (a name or text outside the
 * code page, text data a reader would change) is written as V5 instead. */
tlsr_err tlsr_regfile_write(struct tlsr_registry *reg, const char *path,
			    enum tlsr_regfile_format fmt);

/* Fault injection around inner, which it takes ownership of. Every call of
 * every op counts, from 1; the call numbered fail_at fails with err (and
 * does nothing). 0 disarms. */
struct tlsr_registry *tlsr_registry_fault_new(struct tlsr_registry *inner);
void tlsr_fault_arm(struct tlsr_registry *fault, unsigned long fail_at,
		    tlsr_err err);
/* Persistent mode ("access denied from now on", SQLite test_vfs's
 * FAULT_INJECT_PERSISTENT): every call from the call numbered from on fails
 * with err. close_key and destroy still count and still close. 0
 * disarms. */
void tlsr_fault_arm_from(struct tlsr_registry *fault, unsigned long from,
			 tlsr_err err);
/* Calls counted since creation or the last arm. */
unsigned long tlsr_fault_calls(const struct tlsr_registry *fault);
/* The same calls by kind (zeros for a registry that is not a fault
 * wrapper). */
void tlsr_fault_counts(const struct tlsr_registry *fault,
		       struct tlsr_reg_counts *out);

#endif
