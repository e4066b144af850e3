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
	};
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(strstr(text, want[i]) != NULL, "%s not in:\n%s",
			      want[i], text);
	ck_assert_int_eq(n, 4);
	free(text);
	/* The same file is valid PowerShell: only the version check fails. */
	out = (struct tlsr_sb){0};
	ck_assert_int_eq(ps_lint_file(data_path("powershell3.ps1"),
				      "powershell3.ps1", 0, &out),
			 0);
	free(tlsr_sb_finish(&out));
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
