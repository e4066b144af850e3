/* tlsward: the Configuration Manager kit (installer/configmgr) as the admin
 * will use it. Every PowerShell script is parsed by a real PowerShell
 * grammar (tree-sitter-powershell, pinned in tests/powershell), so a syntax
 * error fails the suite; the client scripts use nothing newer than Windows
 * PowerShell 2.0; every Status value the kit reads is one the service
 * writes, with the type the inventory class declares. */
#include <check.h>
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <tree_sitter/api.h>

#include "strbuf.h"

const TSLanguage *tree_sitter_powershell(void);

/* The Status values of the team's contract (HKLM\SOFTWARE\tlsward\Status)
 * and their registry types. core/names.h is the list the service spells
 * (this one stands in for it in a tree without it); the types are the
 * contract's. */
static const struct {
	const char *name;
	const char *type;
} status_contract[] = {
    {"Compliant", "DWORD"},
    {"Blocked", "DWORD"},
    {"BlockedReasons", "SZ"},
    {"ReadyForServerTls12", "DWORD"},
    {"Tls12WinHttp", "DWORD"},
    {"Tls12Schannel", "DWORD"},
    {"Tls12DotNet", "DWORD"},
    {"Drifts", "DWORD"},
    {"Remediations", "DWORD"},
    {"LastCheck", "SZ"},
    {"PolicySource", "SZ"},
    {"PolicyHash", "SZ"},
    {"Mode", "SZ"},
    {"Version", "SZ"},
    {"RestartPending", "DWORD"},
    {"RestartReason", "SZ"},
    {"RestartTime", "SZ"},
    {"RestartBootId", "SZ"},
    {"ReadyForServer", "DWORD"},
    {"RestartOwed", "MULTI_SZ"},
    {"Risks", "MULTI_SZ"},
    {"RiskCritical", "DWORD"},
    {"Proven", "DWORD"},
    {"ProofTime", "SZ"},
    {"ProofEndpoint", "SZ"},
    {"ProofProtocol", "SZ"},
    {"ProofResult", "SZ"},
    {"LastError", "SZ"},
    {"Passes", "DWORD"},
    {"PrivateBytes", "QWORD"},
    {"WorkingSet", "QWORD"},
};

#define N_CONTRACT (sizeof status_contract / sizeof status_contract[0])

/* What Windows PowerShell 2.0 does not have. A node of type `node` whose
 * text (lower case) is `text` (any text when NULL; a prefix when it ends
 * in '*') is reported as needing PowerShell `since`. */
static const struct {
	const char *node;
	const char *text;
	const char *since;
} newer_than_ps2[] = {
    {"-in", NULL, "3.0"},
    {"-notin", NULL, "3.0"},
    {"-shl", NULL, "3.0"},
    {"-shr", NULL, "3.0"},
    {"&&", NULL, "7.0"},
    {"||", NULL, "7.0"},
    {"workflow", NULL, "3.0"},
    {"class_statement", NULL, "5.0"},
    {"enum_statement", NULL, "5.0"},
    {"type_name", "ordered", "3.0"},
    {"type_name", "pscustomobject", "3.0"},
    {"variable", "$psitem", "3.0"},
    {"variable", "$psscriptroot", "3.0"},
    {"variable", "$pscommandpath", "3.0"},
    {"variable", "$using:*", "3.0"},
    {"command_name", "get-ciminstance", "3.0"},
    {"command_name", "invoke-restmethod", "3.0"},
    {"command_name", "invoke-webrequest", "3.0"},
    {"command_name", "convertto-json", "3.0"},
    {"command_name", "convertfrom-json", "3.0"},
    {"command_name", "get-filehash", "4.0"},
    {"command_name", "get-itempropertyvalue", "5.0"},
    {"command_name", "new-temporaryfile", "5.0"},
};

static const char *source_root(void)
{
	const char *root = getenv("TLSR_SOURCE_ROOT");

	ck_assert_msg(root != NULL, "TLSR_SOURCE_ROOT is not set");
	return root;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct tlsr_sb b = {0};
	char chunk[8192];
	size_t n;
	char *text;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		tlsr_sb_add(&b, chunk, n);
	fclose(f);
	if (len != NULL)
		*len = b.len;
	text = tlsr_sb_finish(&b);
	ck_assert_ptr_nonnull(text);
	return text;
}

static char *slurp_rel(const char *rel, size_t *len)
{
	char path[4096];
	char *text;

	snprintf(path, sizeof path, "%s/%s", source_root(), rel);
	text = slurp(path, len);
	ck_assert_msg(text != NULL, "cannot read %s", path);
	return text;
}

static char *data_path(const char *name)
{
	const char *dir = getenv("TLSR_DATA");
	static char path[4096];

	ck_assert_msg(dir != NULL, "TLSR_DATA is not set");
	snprintf(path, sizeof path, "%s/configmgr/%s", dir, name);
	return path;
}

struct lint {
	const char *label;
	const char *src;
	unsigned line0;
	int ps2;
	struct tlsr_sb *out;
	int problems;
};

/* Copies the start of n's text into buf, in lower case when lower is set
 * (PowerShell's keywords, operators and names ignore case). */
static void node_text(TSNode n, const char *src, int lower, char *buf,
		      size_t size)
{
	uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
	size_t i, len = e - s < size - 1 ? e - s : size - 1;

	for (i = 0; i < len; i++) {
		char c = src[s + i];

		buf[i] =
		    (char)(lower && c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	buf[len] = '\0';
}

static void report(struct lint *l, TSNode n, const char *fmt, const char *a,
		   const char *b)
{
	TSPoint p = ts_node_start_point(n);

	tlsr_sb_printf(l->out, "%s:%u:%u: ", l->label, l->line0 + p.row + 1,
		       p.column + 1);
	tlsr_sb_printf(l->out, fmt, a, b);
	tlsr_sb_puts(l->out, "\n");
	l->problems++;
}

static int text_matches(const char *want, const char *text)
{
	size_t n = strlen(want);

	if (n > 0 && want[n - 1] == '*')
		return strncmp(want, text, n - 1) == 0;
	return strcmp(want, text) == 0;
}

static void check_ps2(struct lint *l, TSNode n)
{
	const char *type = ts_node_type(n);
	char text[256];
	size_t i;

	node_text(n, l->src, 1, text, sizeof text);
	for (i = 0; i < sizeof newer_than_ps2 / sizeof newer_than_ps2[0]; i++) {
		if (strcmp(type, newer_than_ps2[i].node) != 0)
			continue;
		if (newer_than_ps2[i].text != NULL &&
		    !text_matches(newer_than_ps2[i].text, text))
			continue;
		report(l, n,
		       "'%s' needs PowerShell %s; the kit runs on Windows "
		       "PowerShell 2.0",
		       text, newer_than_ps2[i].since);
	}
	/* [Type]::new(...) is PowerShell 5.0; New-Object works everywhere. */
	if (strcmp(type, "member_name") == 0 && strcmp(text, "new") == 0) {
		TSNode prev = ts_node_prev_sibling(n);

		if (!ts_node_is_null(prev) &&
		    strcmp(ts_node_type(prev), "::") == 0)
			report(l, n,
			       "'%s' needs PowerShell %s; the kit runs on "
			       "Windows PowerShell 2.0",
			       "::new", "5.0");
	}
}

static void visit(struct lint *l, TSNode n)
{
	uint32_t i, count = ts_node_child_count(n);

	if (ts_node_is_missing(n)) {
		report(l, n, "syntax error: missing '%s'%s", ts_node_type(n),
		       "");
	} else if (ts_node_is_error(n)) {
		char text[40];
		char *nl;

		node_text(n, l->src, 0, text, sizeof text);
		nl = strpbrk(text, "\r\n");
		if (nl != NULL)
			*nl = '\0';
		if (text[0] == '\0')
			report(l, n, "syntax error: unexpected end of %s%s",
			       "line", "");
		else
			report(l, n, "syntax error: unexpected '%s'%s", text,
			       nl != NULL || ts_node_end_byte(n) -
						     ts_node_start_byte(n) >
						 sizeof text - 1
				   ? "..."
				   : "");
	}
	if (l->ps2)
		check_ps2(l, n);
	for (i = 0; i < count; i++)
		visit(l, ts_node_child(n, i));
}

/* Parses src as PowerShell and appends one "LABEL:LINE:COL: reason" line
 * to out per syntax error, missing token and (with ps2) construct newer
 * than Windows PowerShell 2.0; returns how many. src's first line is line
 * line0 + 1 of LABEL. */
static int ps_lint(const char *label, const char *src, size_t len,
		   unsigned line0, int ps2, struct tlsr_sb *out)
{
	TSParser *parser = ts_parser_new();
	TSTree *tree;
	struct lint l = {label, src, line0, ps2, out, 0};

	ck_assert(ts_parser_set_language(parser, tree_sitter_powershell()));
	tree = ts_parser_parse_string(parser, NULL, src, (uint32_t)len);
	ck_assert_ptr_nonnull(tree);
	visit(&l, ts_tree_root_node(tree));
	/* An error the walk did not name still fails. */
	if (l.problems == 0 && ts_node_has_error(ts_tree_root_node(tree)))
		report(&l, ts_tree_root_node(tree), "syntax error%s%s", "", "");
	ts_tree_delete(tree);
	ts_parser_delete(parser);
	return l.problems;
}

static int ps_lint_file(const char *path, const char *label, int ps2,
			struct tlsr_sb *out)
{
	size_t len;
	char *src = slurp(path, &len);
	int n;

	ck_assert_msg(src != NULL, "cannot read %s", path);
	n = ps_lint(label, src, len, 0, ps2, out);
	free(src);
	return n;
}

/* Appends every *.ps1 under dir (relative to the source root) to list. */
static void find_scripts(const char *rel, char list[][512], size_t *n,
			 size_t max)
{
	char path[4096];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof path, "%s/%s", source_root(), rel);
	d = opendir(path);
	ck_assert_msg(d != NULL, "cannot open %s", path);
	while ((e = readdir(d)) != NULL) {
		char child[512];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(child, sizeof child, "%s/%s", rel, e->d_name);
		snprintf(path, sizeof path, "%s/%s", source_root(), child);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			find_scripts(child, list, n, max);
		} else if (len > 4 &&
			   strcasecmp(e->d_name + len - 4, ".ps1") == 0) {
			ck_assert_uint_lt(*n, max);
			snprintf(list[(*n)++], 512, "%s", child);
		}
	}
	closedir(d);
}

START_TEST(configmgr_scripts_parse)
{
	static char scripts[64][512];
	size_t n = 0, i;
	struct tlsr_sb out = {0};
	int problems = 0;
	char *text;

	find_scripts("installer", scripts, &n, 64);
	ck_assert_msg(n >= 3, "only %zu PowerShell scripts under installer/",
		      n);
	for (i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof path, "%s/%s", source_root(), scripts[i]);
		problems += ps_lint_file(path, scripts[i], 1, &out);
	}
	text = tlsr_sb_finish(&out);
	ck_assert_msg(problems == 0, "%s", text);
	free(text);
}
END_TEST

/* The guide's ```powershell blocks are what admins paste: they parse too
 * (they run on servers and admin workstations, so any PowerShell). */
START_TEST(configmgr_guide_snippets_parse)
{
	static const char *const guides[] = {"installer/configmgr/README.md",
					     "README.md"};
	struct tlsr_sb out = {0};
	int problems = 0, blocks = 0;
	size_t g;
	char *text;

	for (g = 0; g < sizeof guides / sizeof guides[0]; g++) {
		char *md = slurp_rel(guides[g], NULL);
		char *line = md;
		unsigned lineno = 0, start = 0;
		const char *block = NULL;

		while (*line != '\0') {
			char *eol = strchr(line, '\n');
			size_t n = eol ? (size_t)(eol - line) : strlen(line);

			lineno++;
			if (block == NULL &&
			    strncmp(line, "```powershell", 13) == 0 &&
			    n == 13) {
				block = eol ? eol + 1 : line + n;
				start = lineno;
			} else if (block != NULL && n == 3 &&
				   strncmp(line, "```", 3) == 0) {
				problems += ps_lint(guides[g], block,
						    (size_t)(line - block),
						    start, 0, &out);
				blocks++;
				block = NULL;
			}
			line = eol ? eol + 1 : line + n;
		}
		ck_assert_msg(block == NULL, "%s:%u: unclosed code block",
			      guides[g], start);
		free(md);
	}
	text = tlsr_sb_finish(&out);
	ck_assert_msg(blocks >= 1, "no ```powershell block in the guides");
	ck_assert_msg(problems == 0, "%s", text);
	free(text);
}
END_TEST

START_TEST(configmgr_syntax_error_reported)
{
	struct tlsr_sb out = {0};
	int n = ps_lint_file(data_path("syntax-error.ps1"), "syntax-error.ps1",
			     1, &out);
	char *text = tlsr_sb_finish(&out);

	ck_assert_msg(n >= 1, "no error reported");
	/* The unclosed condition of line 4 is where the parser stops. */
	ck_assert_msg(strstr(text, "syntax-error.ps1:4:") != NULL, "%s", text);
	ck_assert_msg(strstr(text, ": syntax error") != NULL, "%s", text);
	free(text);
}
END_TEST

START_TEST(configmgr_missing_token_reported)
{
	struct tlsr_sb out = {0};
	int n = ps_lint_file(data_path("missing-brace.ps1"),
			     "missing-brace.ps1", 1, &out);
	char *text = tlsr_sb_finish(&out);

	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(text,
			 "missing-brace.ps1:4:26: syntax error: missing '}'\n");
	free(text);
}
END_TEST

START_TEST(configmgr_newer_than_powershell2_reported)
{
	struct tlsr_sb out = {0};
	int n = ps_lint_file(data_path("powershell3.ps1"), "powershell3.ps1", 1,
			     &out);
	char *text = tlsr_sb_finish(&out);
	static const char *const want[] = {
	    "powershell3.ps1:4:10: 'ordered' needs PowerShell 3.0",
	    "powershell3.ps1:5:17: '-in' needs PowerShell 3.0",
	    "powershell3.ps1:8:41: '::new' needs PowerShell 5.0",
	    "powershell3.ps1:9:32: '$psitem' needs PowerShell 3.0",
	    "powershell3.ps1:10:9: 'get-itempropertyvalue' needs PowerShell "
	    "5.0",
	};
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "%s not in:\n%s",
			      want[i], text);
	ck_assert_int_eq(n, 5);
	free(text);
	/* The same file is valid PowerShell: only the version check fails. */
	out = (struct tlsr_sb){0};
	ck_assert_int_eq(ps_lint_file(data_path("powershell3.ps1"),
				      "powershell3.ps1", 0, &out),
			 0);
	free(tlsr_sb_finish(&out));
}
END_TEST

#define N_CONTRACT (sizeof status_contract / sizeof status_contract[0])

static const char *contract_type(const char *name)
{
	size_t i;

	for (i = 0; i < N_CONTRACT; i++)
		if (strcmp(status_contract[i].name, name) == 0)
			return status_contract[i].type;
	return NULL;
}

/* The inventory class type of each Status registry type. */
static const char *mof_type(const char *reg_type)
{
	if (strcmp(reg_type, "DWORD") == 0)
		return "uint32";
	if (strcmp(reg_type, "QWORD") == 0)
		return "uint64";
	if (strcmp(reg_type, "MULTI_SZ") == 0)
		return "string[]";
	return "string";
}

struct names {
	char v[128][64];
	char type[128][16]; /* MOF type, for class properties */
	size_t n;
};

static int names_has(const struct names *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 1;
	return 0;
}

static void names_add(struct names *s, const char *name, size_t len,
		      const char *type)
{
	char buf[64];

	ck_assert_uint_lt(len, sizeof buf);
	memcpy(buf, name, len);
	buf[len] = '\0';
	if (names_has(s, buf))
		return;
	ck_assert_uint_lt(s->n, 128);
	snprintf(s->v[s->n], sizeof s->v[0], "%s", buf);
	snprintf(s->type[s->n], sizeof s->type[0], "%s", type ? type : "");
	s->n++;
}

/* Appends group `group` of every match of pattern in text to out. */
static void regex_all(const char *text, const char *pattern, int group,
		      struct names *out)
{
	regex_t re;
	regmatch_t m[4];
	const char *p = text;

	ck_assert_int_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE), 0);
	while (regexec(&re, p, 4, m, 0) == 0) {
		names_add(out, p + m[group].rm_so,
			  (size_t)(m[group].rm_eo - m[group].rm_so), NULL);
		p += m[0].rm_eo;
	}
	regfree(&re);
}

/* The Status value names the service writes: the names core/names.h
 * spells for Status (#define TLSR_ST_... "Name"), when that file exists;
 * the contract's list otherwise. Returns the source's name. */
static const char *service_names(struct names *out)
{
	char path[4096];
	char *h;
	size_t i;

	snprintf(path, sizeof path, "%s/core/names.h", source_root());
	h = slurp(path, NULL);
	if (h == NULL) {
		for (i = 0; i < N_CONTRACT; i++)
			names_add(out, status_contract[i].name,
				  strlen(status_contract[i].name), NULL);
		return "the Status contract (core/names.h does not exist)";
	}
	regex_all(h,
		  "^#define[ \t]+TLSR_ST_[A-Z0-9_]+[ \t]+\"([A-Za-z0-9_]+)\"",
		  1, out);
	free(h);
	ck_assert_msg(out->n >= 10, "core/names.h spells only %zu Status names",
		      out->n);
	return "core/names.h";
}

/* Adds to out the quoted arguments of every call of the command `cmd`
 * (lower case) under n. */
static void collect_args(TSNode n, const char *src, const char *cmd,
			 struct names *out, int in_cmd)
{
	uint32_t i, count = ts_node_child_count(n);
	const char *type = ts_node_type(n);

	if (strcmp(type, "command") == 0) {
		TSNode name = ts_node_child(n, 0);
		char text[64];

		node_text(name, src, 1, text, sizeof text);
		in_cmd = strcmp(ts_node_type(name), "command_name") == 0 &&
			 strcmp(text, cmd) == 0;
	} else if (in_cmd && strcmp(type, "string_literal") == 0) {
		uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);

		ck_assert_uint_ge(e - s, 2);
		names_add(out, src + s + 1, e - s - 2, NULL);
		return;
	}
	for (i = 0; i < count; i++)
		collect_args(ts_node_child(n, i), src, cmd, out, in_cmd);
}

/* The quoted arguments a script passes to the command `cmd` (lower
 * case): for the discovery script's Get-StatusValue helper, the Status
 * values it reads; for Write-Output, the words it prints. */
static void ps_command_args(const char *rel, const char *cmd, struct names *out)
{
	size_t len;
	char *src = slurp_rel(rel, &len);
	TSParser *parser = ts_parser_new();
	TSTree *tree;

	ck_assert(ts_parser_set_language(parser, tree_sitter_powershell()));
	tree = ts_parser_parse_string(parser, NULL, src, (uint32_t)len);
	collect_args(ts_tree_root_node(tree), src, cmd, out, 0);
	ts_tree_delete(tree);
	ts_parser_delete(parser);
	free(src);
}

/* The properties of the class TLSWARD_Status in a MOF file, with their
 * types ("uint32", "string[]", ...). */
static void mof_class(const char *rel, struct names *props)
{
	char *mof = slurp_rel(rel, NULL);
	char *start = strstr(mof, "Class TLSWARD_Status");
	char *end;
	regex_t re;
	regmatch_t m[5];
	const char *p;

	ck_assert_msg(start != NULL, "%s: no class TLSWARD_Status", rel);
	end = strstr(start, "\n};");
	ck_assert_msg(end != NULL, "%s: class TLSWARD_Status not closed", rel);
	*end = '\0';
	ck_assert_int_eq(regcomp(&re,
				 "^[ \t]*(\\[[^]\n]*\\][ \t]*)?"
				 "(uint32|uint64|string)[ \t]+([A-Za-z0-9_]+)"
				 "(\\[\\])?;",
				 REG_EXTENDED | REG_NEWLINE),
			 0);
	for (p = start; regexec(&re, p, 5, m, 0) == 0; p += m[0].rm_eo) {
		char type[16];

		snprintf(type, sizeof type, "%.*s%s",
			 (int)(m[2].rm_eo - m[2].rm_so), p + m[2].rm_so,
			 m[4].rm_so >= 0 ? "[]" : "");
		names_add(props, p + m[3].rm_so,
			  (size_t)(m[3].rm_eo - m[3].rm_so), type);
	}
	regfree(&re);
	free(mof);
}

static const char *prop_type(const struct names *props, const char *name)
{
	size_t i;

	for (i = 0; i < props->n; i++)
		if (strcmp(props->v[i], name) == 0)
			return props->type[i];
	return NULL;
}

/* How often needle occurs in [s, end). */
static int count_in(const char *s, const char *end, const char *needle)
{
	int n = 0;
	size_t len = strlen(needle);
	const char *p;

	for (p = s; (p = strstr(p, needle)) != NULL && p < end; p += len)
		n++;
	return n;
}

/* Blanks out every comment that starts with marker and runs to the end of
 * its line, so that only the queries themselves are read. */
static void strip_comments(char *text, const char *marker)
{
	char *p = text;

	while ((p = strstr(p, marker)) != NULL)
		while (*p != '\0' && *p != '\n')
			*p++ = ' ';
}

#define KIT "installer/configmgr/"

/* Every Status value the kit reads (the discovery script, the inventory
 * data class) is one the service writes, with the contract's type; the
 * reporting class matches the data class; the collections and reports use
 * only the class's properties. */
START_TEST(configmgr_status_names_known)
{
	struct names service = {0}, reads = {0}, data = {0}, report = {0},
		     ctx_values = {0}, ctx_props = {0}, wql = {0}, sql = {0};
	struct tlsr_sb out = {0};
	const char *from = service_names(&service);
	char *text;
	size_t i;

	ps_command_args(KIT "tlsward-ci-discovery.ps1", "get-statusvalue",
			&reads);
	mof_class(KIT "configuration.mof", &data);
	mof_class(KIT "tlsward-status-import.mof", &report);
	text = slurp_rel(KIT "configuration.mof", NULL);
	regex_all(text,
		  "PropertyContext\\(\"Local\\|HKEY_LOCAL_MACHINE[\\]{2}"
		  "SOFTWARE[\\]{2}tlsward[\\]{2}Status\\|([A-Za-z0-9_]+)\"\\)",
		  1, &ctx_values);
	regex_all(text,
		  "Provider\\(\"RegPropProv\"\\)\\][ \t]*([A-Za-z0-9_]+);", 1,
		  &ctx_props);
	free(text);
	text = slurp_rel(KIT "collections.wql", NULL);
	regex_all(text, "SMS_G_System_TLSWARD_STATUS\\.([A-Za-z0-9_]+)", 1,
		  &wql);
	free(text);
	text = slurp_rel(KIT "reports.sql", NULL);
	regex_all(text, "[^A-Za-z0-9_]s\\.([A-Za-z0-9_]+)0[^A-Za-z0-9_]", 1,
		  &sql);
	free(text);

	ck_assert_uint_ge(reads.n, 5);
	for (i = 0; i < reads.n; i++) {
		if (!names_has(&service, reads.v[i]))
			tlsr_sb_printf(&out,
				       KIT "tlsward-ci-discovery.ps1 reads "
					   "Status value %s, not in %s\n",
				       reads.v[i], from);
		if (contract_type(reads.v[i]) == NULL)
			tlsr_sb_printf(&out,
				       KIT "tlsward-ci-discovery.ps1 reads "
					   "Status value %s, not in the Status "
					   "contract\n",
				       reads.v[i]);
	}
	ck_assert_uint_ge(ctx_values.n, 10);
	ck_assert_uint_eq(ctx_values.n, ctx_props.n);
	for (i = 0; i < ctx_values.n; i++) {
		const char *name = ctx_values.v[i];
		const char *reg = contract_type(name);
		const char *have = prop_type(&data, name);

		if (!names_has(&service, name))
			tlsr_sb_printf(&out,
				       KIT "configuration.mof reads Status "
					   "value %s, not in %s\n",
				       name, from);
		if (strcmp(name, ctx_props.v[i]) != 0)
			tlsr_sb_printf(&out,
				       KIT "configuration.mof: property %s "
					   "reads Status value %s\n",
				       ctx_props.v[i], name);
		if (reg != NULL &&
		    (have == NULL || strcmp(have, mof_type(reg)) != 0))
			tlsr_sb_printf(&out,
				       KIT "configuration.mof: %s is %s, "
					   "the Status value is %s (%s)\n",
				       name, have ? have : "not declared", reg,
				       mof_type(reg));
	}
	/* KeyName is the instance key, not a Status value. */
	ck_assert_uint_eq(data.n, ctx_values.n + 1);
	for (i = 0; i < data.n; i++) {
		const char *t = prop_type(&report, data.v[i]);

		if (t == NULL || strcmp(t, data.type[i]) != 0)
			tlsr_sb_printf(&out,
				       KIT "tlsward-status-import.mof: %s is "
					   "%s, %s in configuration.mof\n",
				       data.v[i], t ? t : "missing",
				       data.type[i]);
	}
	ck_assert_uint_eq(report.n, data.n);
	for (i = 0; i < wql.n; i++)
		if (strcasecmp(wql.v[i], "ResourceID") != 0 &&
		    prop_type(&data, wql.v[i]) == NULL)
			tlsr_sb_printf(&out,
				       KIT "collections.wql uses %s, not a "
					   "property of TLSWARD_Status\n",
				       wql.v[i]);
	for (i = 0; i < sql.n; i++)
		if (prop_type(&data, sql.v[i]) == NULL)
			tlsr_sb_printf(&out,
				       KIT "reports.sql uses %s0, not a "
					   "property of TLSWARD_Status\n",
				       sql.v[i]);
	ck_assert_uint_ge(wql.n, 5);
	ck_assert_uint_ge(sql.n, 10);
	text = tlsr_sb_finish(&out);
	ck_assert_msg(text[0] == '\0', "%s", text);
	free(text);
}
END_TEST

/* "Ready" in the kit is the service's ReadyForServer, with a restart
 * waiting and a critical risk excluded again; the restart, risk and proof
 * values reach the compliance script and the inventory. */
START_TEST(configmgr_ready_excludes_restart_and_risk)
{
	static const char *const discovery_reads[] = {
	    "ReadyForServer", "RestartPending", "RestartOwed", "RiskCritical",
	    "Risks",	      "Proven",		"ProofTime",   "Compliant",
	    "Blocked",	      "LastCheck"};
	static const char *const inventory[] = {
	    "ReadyForServer", "RestartPending", "RestartOwed", "RiskCritical",
	    "Risks",	      "Proven",		"ProofTime",   "ProofEndpoint",
	    "ProofProtocol",  "ProofResult"};
	struct names reads = {0}, data = {0};
	char *wql, *sql, *q;
	size_t i;
	int ready_queries = 0, ready_statements = 0;

	ps_command_args(KIT "tlsward-ci-discovery.ps1", "get-statusvalue",
			&reads);
	for (i = 0; i < sizeof discovery_reads / sizeof discovery_reads[0]; i++)
		ck_assert_msg(names_has(&reads, discovery_reads[i]),
			      "tlsward-ci-discovery.ps1 does not read %s",
			      discovery_reads[i]);
	mof_class(KIT "configuration.mof", &data);
	for (i = 0; i < sizeof inventory / sizeof inventory[0]; i++)
		ck_assert_msg(prop_type(&data, inventory[i]) != NULL,
			      "the inventory class does not carry %s",
			      inventory[i]);
	/* The older value could be 1 before the activating restart. */
	ck_assert(!names_has(&reads, "ReadyForServerTls12"));
	ck_assert(prop_type(&data, "ReadyForServerTls12") == NULL);

	/* Each collection query that selects ReadyForServer = 1 also
	 * requires RestartPending and RiskCritical to be 0 or absent. */
	wql = slurp_rel(KIT "collections.wql", NULL);
	strip_comments(wql, "//");
	ck_assert_ptr_null(strstr(wql, "ReadyForServerTls12"));
	for (q = strstr(wql, "\nselect "); q != NULL;) {
		char *next = strstr(q + 1, "\nselect ");
		const char *end = next ? next : q + strlen(q);
		int ready = count_in(q, end, ".ReadyForServer = 1");

		if (ready > 0) {
			ready_queries++;
			ck_assert_int_ge(count_in(q, end,
						  ".RestartPending is null or "
						  "SMS_G_System_TLSWARD_STATUS."
						  "RestartPending = 0)"),
					 ready);
			ck_assert_int_ge(count_in(q, end,
						  ".RiskCritical is null or "
						  "SMS_G_System_TLSWARD_STATUS."
						  "RiskCritical = 0)"),
					 ready);
		}
		q = next;
	}
	ck_assert_int_ge(ready_queries, 2);
	free(wql);

	/* The same in every SQL statement that counts or lists ready
	 * clients. */
	sql = slurp_rel(KIT "reports.sql", NULL);
	strip_comments(sql, "--");
	ck_assert_ptr_null(strstr(sql, "ReadyForServerTls12"));
	for (q = sql; *q != '\0';) {
		char *semi = strchr(q, ';');
		const char *end = semi ? semi : q + strlen(q);
		int ready = count_in(q, end, "ReadyForServer0 = 1");

		if (ready > 0) {
			ready_statements++;
			ck_assert_int_ge(
			    count_in(q, end,
				     "ISNULL(s.RestartPending0, 0) = 0"),
			    ready);
			ck_assert_int_ge(
			    count_in(q, end, "ISNULL(s.RiskCritical0, 0) = 0"),
			    ready);
		}
		q = semi ? semi + 1 : (char *)end;
	}
	ck_assert_int_ge(ready_statements, 2);
	free(sql);
}
END_TEST

/* Every word the compliance script can print is explained in the guide's
 * table of states, and the guide explains no word the script cannot
 * print. */
START_TEST(configmgr_guide_explains_every_state)
{
	struct names words = {0}, rows = {0};
	char *guide = slurp_rel(KIT "README.md", NULL);
	char *table = strstr(guide, "The script prints one word:");
	char *end;
	size_t i;

	ps_command_args(KIT "tlsward-ci-discovery.ps1", "write-output", &words);
	ck_assert_uint_ge(words.n, 8);
	ck_assert_msg(table != NULL, "README.md: no table of states");
	end = strstr(table, "\n\n| ");
	ck_assert_ptr_nonnull(end);
	end = strstr(end + 2, "\n\n");
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	regex_all(table, "^\\| `([A-Za-z]+)` \\|", 1, &rows);
	for (i = 0; i < words.n; i++)
		ck_assert_msg(names_has(&rows, words.v[i]),
			      "README.md does not explain the state %s",
			      words.v[i]);
	for (i = 0; i < rows.n; i++)
		ck_assert_msg(names_has(&words, rows.v[i]),
			      "README.md explains %s, which "
			      "tlsward-ci-discovery.ps1 never prints",
			      rows.v[i]);
	free(guide);
}
END_TEST

static void check_suite_setup(void)
{
	/* Every test reads the source tree. */
	(void)source_root();
}

static Suite *configmgr_suite(void)
{
	Suite *s = suite_create("configmgr");
	TCase *tc = tcase_create("configmgr");

	tcase_add_checked_fixture(tc, check_suite_setup, NULL);
	tcase_add_test(tc, configmgr_scripts_parse);
	tcase_add_test(tc, configmgr_guide_snippets_parse);
	tcase_add_test(tc, configmgr_syntax_error_reported);
	tcase_add_test(tc, configmgr_missing_token_reported);
	tcase_add_test(tc, configmgr_newer_than_powershell2_reported);
	tcase_add_test(tc, configmgr_status_names_known);
	tcase_add_test(tc, configmgr_ready_excludes_restart_and_risk);
	tcase_add_test(tc, configmgr_guide_explains_every_state);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(configmgr_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
