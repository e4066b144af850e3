/* tlsward: the command line. The same commands audit an exported .reg file
 * on any OS and, on Windows, the live registry; the service commands are the
 * platform's (platform.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accept.h"
#include "bytes.h"
#include "cli.h"
#include "file.h"
#include "follow.h"
#include "machine.h"
#include "platform.h"
#include "policy.h"
#include "probe.h"
#include "strbuf.h"
#include "tlsr.h"
#include "utf8.h"

/* Exit codes: the contract scripts and Configuration Manager rely on. */
enum {
	EXIT_COMPLIANT = 0,
	EXIT_REMEDIABLE = 1,
	EXIT_USAGE = 2,
	EXIT_BLOCKED = 3,
	EXIT_WRITE_FAILED = 4,
	EXIT_CRITICAL = 5,
};


enum format { FORMAT_TEXT, FORMAT_JSON };

struct options {
	const char *policy;
	const char *registry;
	const char *out;
	const char *codepage;
	enum format format;
	int dry_run;
	int help;
	/* Facts given on the command line override what the registry says. */
	const char *os;
	const char *edition;
	const char *net4_release;
	const char *net35;
	const char *kb3140245;
	const char *x64;
	int force;
};

enum opt_flags { OPT_POLICY = 1u << 0, OPT_REGISTRY = 1u << 1,
		 OPT_OUT = 1u << 2, OPT_FORMAT = 1u << 3,
		 OPT_DRY_RUN = 1u << 4, OPT_FACTS = 1u << 5,
		 OPT_FORCE = 1u << 6 };

struct opt_def {
	const char *name;
	unsigned group;
	size_t offset; /* of the const char * it fills, or of an int flag */
	int takes_value;
};

static const struct opt_def opt_defs[] = {
	{"--policy", OPT_POLICY, offsetof(struct options, policy), 1},
	{"--registry", OPT_REGISTRY, offsetof(struct options, registry), 1},
	{"--out", OPT_OUT, offsetof(struct options, out), 1},
	{"--codepage", OPT_REGISTRY, offsetof(struct options, codepage), 1},
	{"--dry-run", OPT_DRY_RUN, offsetof(struct options, dry_run), 0},
	{"--force", OPT_FORCE, offsetof(struct options, force), 0},
	{"--os", OPT_FACTS, offsetof(struct options, os), 1},
	{"--edition", OPT_FACTS, offsetof(struct options, edition), 1},
	{"--net4-release", OPT_FACTS, offsetof(struct options, net4_release), 1},
	{"--net35", OPT_FACTS, offsetof(struct options, net35), 1},
	{"--kb3140245", OPT_FACTS, offsetof(struct options, kb3140245), 1},
	{"--x64", OPT_FACTS, offsetof(struct options, x64), 1},
};

static const char usage_main[] =
	"usage: tlsward COMMAND [OPTIONS]\n"
	"\n"
	"Keeps a Windows client on TLS 1.2: compares the registry (WinHTTP,\n"
	"SChannel, .NET) with a YAML policy and applies what is missing, clients\n"
	"first, only where the prerequisites hold.\n"
	"\n"
	"Commands:\n"
	"  check            compare the registry with the policy\n"
	"  plan             print the ordered actions that apply would take\n"
	"  apply            write the missing settings (to --out for a .reg file)\n"
	"  status           show what the service last recorded\n"
	"  rollback         restore the values tlsward changed, as they were\n"
	"  policy validate  check a policy file\n"
	"  policy verify    check a signed policy against a public key\n"
	"  probe URL...     prove TLS 1.2 on the wire to https endpoints\n"
	"                   (Windows only)\n"
	"  service          install, uninstall, stop or control the service\n"
	"                   (Windows only)\n"
	"  run --console    run the service loop in the foreground (Windows only)\n"
	"\n"
	"  tlsward COMMAND --help   describes a command\n"
	"  tlsward --version        prints the version\n"
	"\n"
	"Exit codes of check, plan and apply: 0 compliant, 1 not compliant and\n"
	"remediable, 3 something is blocked by a missing prerequisite, 2 usage or\n"
	"input error, 4 (apply) a write failed, 5 a critical risk (a legacy\n"
	"protocol already off where TLS 1.2 does not work yet).\n";

static const char usage_facts[] =
	"Facts (read from the registry; these override them):\n"
	"  --os MAJOR.MINOR[.BUILD[.SP]]  e.g. 6.1.7601.1 for Windows 7 SP1\n"
	"  --edition client|server\n"
	"  --net4-release N               .NET 4.x Release value (0: none)\n"
	"  --net35 yes|no                 .NET 3.5 installed\n"
	"  --kb3140245 yes|no             the WinHTTP update is installed\n"
	"  --x64 yes|no                   64-bit Windows (two registry views)\n";

static const char usage_check[] =
	"usage: tlsward check --policy FILE [--registry FILE.reg]\n"
	"                     [--format text|json] [FACTS]\n"
	"\n"
	"Compares the registry with the policy and marks each setting ok,\n"
	"missing, mismatch or blocked. Without --registry it reads the live\n"
	"registry (Windows only) and the policy defaults to the service's,\n"
	"found as the service finds it (Parameters\\PolicyPath, %VARIABLES%,\n"
	"source.path hops, Parameters\\Mode).\n"
	"A .reg file is read as regedit imports it (docs/regfile.md): without\n"
	"a UTF-16 BOM in the ANSI code page, 1252 unless --codepage CP says\n"
	"otherwise (--codepage utf-8 reads UTF-8, which regedit never does);\n"
	"lines regedit would not import are warned about and not counted.\n"
	"Exit: 0 compliant, 1 not compliant and remediable, 3 blocked by a\n"
	"missing prerequisite, 2 usage or input error.\n\n";

static const char usage_plan[] =
	"usage: tlsward plan --policy FILE [--registry FILE.reg]\n"
	"                    [--format text|json] [FACTS]\n"
	"\n"
	"Prints the actions apply would take, in apply order: WinHTTP, then\n"
	"SChannel, then .NET, and last the step that turns legacy protocols\n"
	"off. Exit codes as for check.\n\n";

static const char usage_apply[] =
	"usage: tlsward apply --policy FILE --registry IN.reg --out OUT.reg\n"
	"                     [--dry-run] [--format text|json] [FACTS]\n"
	"       tlsward apply [--policy FILE] [--force] (live registry, Windows)\n"
	"\n"
	"Journals the original value of everything it will change, then writes\n"
	"the plan in order and reads every value back. With a .reg file the\n"
	"input is left untouched and the result goes to OUT.reg, which regedit\n"
	"imports. --dry-run prints the plan and writes nothing. A policy in\n"
	"audit mode writes nothing either. On the live registry, apply\n"
	"refuses while Parameters\\Mode is audit (the service only reports\n"
	"on this computer) unless --force is given.\n"
	"Exit: 0 compliant afterwards, 1 not yet (a step waits for a restart),\n"
	"3 blocked by a missing prerequisite, 4 a write failed, 2 usage or\n"
	"input error.\n\n";

static const char usage_status[] =
	"usage: tlsward status [--registry FILE.reg] [--format text|json]\n"
	"\n"
	"Shows HKLM\\SOFTWARE\\tlsward\\Status as the service last wrote it:\n"
	"compliance, last check, policy source and hash, blocked reasons,\n"
	"pending restart and readiness for server-side TLS 1.2 (when not\n"
	"ready, why: blocked, a restart owed, a critical risk, no proof yet).\n";

static const char usage_rollback[] =
	"usage: tlsward rollback --registry IN.reg --out OUT.reg\n"
	"       tlsward rollback                      (live registry, Windows)\n"
	"\n"
	"Restores every value tlsward changed to its state before the first\n"
	"change (absent values are deleted again), verifies each, and clears\n"
	"the journal.\n";

static const char usage_policy[] =
	"usage: tlsward policy validate FILE [--floor FLOOR] [--key PUB.pem]\n"
	"       tlsward policy verify FILE --key PUB.pem [--floor FLOOR]\n"
	"\n"
	"Loads the policy as the service would. Exit 0 when it is valid; exit 2\n"
	"with FILE:LINE:COL: reason on stderr when not. --floor also checks it\n"
	"against a local floor file; --key (and verify) also checks the detached\n"
	"signature FILE.sig made by `openssl dgst -sha256 -sign KEY -out\n"
	"FILE.sig FILE` (ECDSA P-256 or RSA) and that the policy has a serial.\n";

static const char usage_service[] =
	"usage: tlsward service install [--policy PATH] [--mode enforce|audit]\n"
	"                               [--floor FILE] [--policy-key PUB.pem]\n"
	"       tlsward service stop\n"
	"       tlsward service uninstall\n"
	"       tlsward service control check-now|reload|N\n"
	"       tlsward service run\n"
	"\n"
	"Runs only on Windows, as an administrator; elsewhere tlsward audits\n"
	"exported .reg files (check, plan, apply --registry).\n"
	"\n"
	"  install    creates (or repairs) the tlsward service and writes its\n"
	"             Parameters: the policy path and the mode, the local floor\n"
	"             and the policy key (docs/policy.md, docs/security.md)\n"
	"  stop       stops the service and waits until its process has exited\n"
	"  uninstall  stops and deletes the service and its event source; the\n"
	"             journal stays, so that rollback still works\n"
	"  control    asks the running service to check now, or to reload the\n"
	"             policy (PARAMCHANGE), or sends custom control N (128-255)\n"
	"  run        what the service control manager starts; not for a console\n"
	"             (use tlsward run --console)\n"
	"\n"
	"See docs/service.md.\n";

static const char usage_run[] =
	"usage: tlsward run --console [--policy PATH] [--once]\n"
	"\n"
	"Runs only on Windows: the service's loop in the foreground, with its\n"
	"events also printed on stderr; Ctrl+C stops it. --policy follows that\n"
	"file instead of the service's policy. --once makes one check and apply\n"
	"pass and exits: 0 compliant afterwards, 1 not compliant, 2 no usable\n"
	"policy or no registry.\n";

static void print_usage(FILE *f, const char *text, int with_facts)
{
	fputs(text, f);
	if (with_facts)
		fputs(usage_facts, f);
}

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "tlsward %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'tlsward %s --help'.\n", cmd);
	return EXIT_USAGE;
}

/* Parses argv[1..] of a command into o, accepting the option groups in
 * allowed. Returns 0, or an exit code after printing why. */
static int parse_options(const char *cmd, int argc, char **argv,
			 unsigned allowed, struct options *o)
{
	memset(o, 0, sizeof *o);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const struct opt_def *def = NULL;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			o->help = 1;
			return 0;
		}
		if ((allowed & OPT_FORMAT) && strcmp(arg, "--format") == 0) {
			if (i + 1 >= argc)
				return usage_error(cmd, "%s needs a value", arg);
			arg = argv[++i];
			if (strcmp(arg, "text") == 0)
				o->format = FORMAT_TEXT;
			else if (strcmp(arg, "json") == 0)
				o->format = FORMAT_JSON;
			else
				return usage_error(
					cmd, "unknown format '%s' (text, json)",
					arg);
			continue;
		}
		for (size_t k = 0; k < sizeof opt_defs / sizeof opt_defs[0];
		     k++) {
			if ((allowed & opt_defs[k].group) &&
			    strcmp(arg, opt_defs[k].name) == 0)
				def = &opt_defs[k];
		}
		if (def == NULL) {
			if (arg[0] == '-' && arg[1] != '\0')
				return usage_error(cmd, "unknown option '%s'",
						   arg);
			return usage_error(cmd, "unexpected argument '%s'", arg);
		}
		if (!def->takes_value) {
			*(int *)((char *)o + def->offset) = 1;
			continue;
		}
		if (i + 1 >= argc)
			return usage_error(cmd, "%s needs a value", arg);
		*(const char **)((char *)o + def->offset) = argv[++i];
	}
	return 0;
}

static int parse_yes_no(const char *text, int *out)
{
	if (strcmp(text, "yes") == 0 || strcmp(text, "true") == 0 ||
	    strcmp(text, "1") == 0)
		*out = 1;
	else if (strcmp(text, "no") == 0 || strcmp(text, "false") == 0 ||
		 strcmp(text, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_uint(const char *text, unsigned long max, unsigned long *out)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	*out = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || *out > max)
		return -1;
	return 0;
}

/* Applies the --os/--edition/... overrides to facts. */
static int override_facts(const char *cmd, const struct options *o,
			  struct tlsr_facts *f)
{
	int yes;
	unsigned long n;

	if (o->os != NULL) {
		unsigned parts[4] = {0, 0, 0, 0};
		int count = 0;
		const char *p = o->os;

		while (count < 4) {
			char *end;

			if (*p < '0' || *p > '9')
				break;
			parts[count++] = (unsigned)strtoul(p, &end, 10);
			p = end;
			if (*p != '.')
				break;
			p++;
		}
		if (count < 2 || *p != '\0')
			return usage_error(cmd,
					   "--os takes MAJOR.MINOR[.BUILD[.SP]], "
					   "not '%s'",
					   o->os);
		f->os_known = 1;
		f->os_major = parts[0];
		f->os_minor = parts[1];
		f->os_build = parts[2];
		f->os_sp = parts[3];
	}
	if (o->edition != NULL) {
		if (strcmp(o->edition, "client") == 0)
			f->is_server = 0;
		else if (strcmp(o->edition, "server") == 0)
			f->is_server = 1;
		else
			return usage_error(cmd,
					   "--edition takes client or server, "
					   "not '%s'",
					   o->edition);
	}
	if (o->net4_release != NULL) {
		if (parse_uint(o->net4_release, 0xffffffffUL, &n) != 0)
			return usage_error(cmd,
					   "--net4-release takes a number, "
					   "not '%s'",
					   o->net4_release);
		f->net4_release = (uint32_t)n;
	}
	if (o->net35 != NULL) {
		if (parse_yes_no(o->net35, &yes) != 0)
			return usage_error(cmd, "--net35 takes yes or no, not '%s'",
					   o->net35);
		f->net35 = yes;
	}
	if (o->kb3140245 != NULL) {
		if (parse_yes_no(o->kb3140245, &yes) != 0)
			return usage_error(cmd,
					   "--kb3140245 takes yes or no, not '%s'",
					   o->kb3140245);
		f->kb3140245 = yes ? TLSR_YES : TLSR_NO;
		snprintf(f->kb3140245_source, sizeof f->kb3140245_source,
			 "given on the command line");
	}
	if (o->x64 != NULL) {
		if (parse_yes_no(o->x64, &yes) != 0)
			return usage_error(cmd, "--x64 takes yes or no, not '%s'",
					   o->x64);
		f->x64 = yes;
	}
	return 0;
}

/* What a registry command works on: a .reg file or the live registry. */
struct target {
	struct tlsr_registry *reg;
	int live;
	const char *label; /* for messages */
	/* Set before open_target: a .reg file is read for check or plan,
	 * which keep only the keys a check reads. */
	int check_only;
};

/* Lines of a .reg file that are not imported, printed as they come. */
struct regfile_warnings {
	const char *cmd;
	size_t n;
};

static void regfile_warning(void *ctx, const struct tlsr_diag *where)
{
	struct regfile_warnings *w = ctx;
	char msg[1100];

	tlsr_diag_format(where, msg, sizeof msg);
	fprintf(stderr, "tlsward %s: warning: %s\n", w->cmd, msg);
	w->n++;
}

static int open_target(const char *cmd, const char *path,
		       const char *codepage, struct target *t)
{
	struct regfile_warnings w = {cmd, 0};
	struct tlsr_regfile_options ro = {0, regfile_warning, &w, NULL, 0};
	struct tlsr_regfile_keep keep[TLSR_CHECK_KEYS_MAX];
	struct tlsr_diag diag;
	char msg[1100];
	tlsr_err err;

	memset(&diag, 0, sizeof diag);
	t->reg = NULL;
	t->live = path == NULL;
	t->label = path != NULL ? path : "the live registry";
	if (codepage != NULL && path == NULL)
		return usage_error(cmd, "%s", "--codepage goes with --registry");
	if (codepage != NULL && tlsr_codepage_parse(codepage, &ro.codepage))
		return usage_error(cmd,
				   "unknown code page '%s' (874, 1250-1258, "
				   "28591 or utf-8)",
				   codepage);
	if (t->check_only) {
		ro.keep = keep;
		ro.n_keep = tlsr_check_keys(keep, TLSR_CHECK_KEYS_MAX);
		if (ro.n_keep > TLSR_CHECK_KEYS_MAX)
			ro.n_keep = 0; /* the whole file, then */
	}
	if (path != NULL)
		err = tlsr_regfile_read_with(path, &ro, &t->reg, &diag);
	else
		err = tlsr_platform_live_registry(&t->reg, &diag);
	if (err == TLSR_OK) {
		if (w.n > 0)
			fprintf(stderr,
				"tlsward %s: %s holds %lu line(s) regedit would "
				"not import or tlsward does not count; the "
				"audit sees only what regedit imports\n",
				cmd, path, (unsigned long)w.n);
		return 0;
	}
	if (diag.message[0] == '\0')
		tlsr_diag_set(&diag, path ? path : "", 0, 0, "%s",
			      tlsr_strerror(err));
	tlsr_diag_format(&diag, msg, sizeof msg);
	fprintf(stderr, "tlsward %s: %s\n", cmd, msg);
	return EXIT_USAGE;
}

/* Loads the policy named by --policy or, on the live registry, the one the
 * service uses (Parameters\PolicyPath). */
static int load_policy(const char *cmd, const struct options *o,
		       const struct target *t, struct tlsr_policy *p)
{
	char data_dir[1024], source[1024];
	const char *path = o->policy;
	struct tlsr_diag diag;
	char msg[1100];
	tlsr_err err;

	memset(&diag, 0, sizeof diag);
	if (path == NULL && t->live) {
		/* The service's policy, found as the service finds it. */
		tlsr_platform_data_dir(data_dir, sizeof data_dir);
		err = tlsr_policy_load_located(t->reg, NULL, data_dir,
					       tlsr_platform_expand, NULL, p,
					       source, sizeof source, &diag);
	} else if (path == NULL) {
		return usage_error(cmd, "%s",
				   "needs --policy FILE with --registry");
	} else {
		err = tlsr_policy_load_file(path, p, &diag);
	}
	if (err != TLSR_OK) {
		tlsr_diag_format(&diag, msg, sizeof msg);
		fprintf(stderr, "tlsward %s: %s\n", cmd, msg);
		return EXIT_USAGE;
	}
	return 0;
}

static int read_facts(const char *cmd, const struct options *o,
		      const struct target *t, struct tlsr_facts *f)
{
	tlsr_err err = tlsr_facts_read(t->reg, f);

	if (err != TLSR_OK) {
		fprintf(stderr, "tlsward %s: reading facts from %s: %s%s%s\n",
			cmd, t->label, tlsr_strerror(err),
			t->reg->message[0] ? ": " : "", t->reg->message);
		return EXIT_USAGE;
	}
	if (t->live)
		tlsr_platform_live_facts(f);
	return override_facts(cmd, o, f);
}

static int exit_for(const struct tlsr_report *r)
{
	/* A client that its next restart cuts off beats every other
	 * verdict. */
	if (r->critical)
		return EXIT_CRITICAL;
	if (r->compliant)
		return EXIT_COMPLIANT;
	return r->blocked ? EXIT_BLOCKED : EXIT_REMEDIABLE;
}

/* Prints a malloc'd document and frees it; out of memory is an error. */
static int emit(char *doc)
{
	if (doc == NULL) {
		fputs("tlsward: out of memory\n", stderr);
		return -1;
	}
	fputs(doc, stdout);
	free(doc);
	return 0;
}

static int run_check(struct tlsr_registry *reg, const struct tlsr_policy *p,
		     const struct tlsr_facts *f, struct tlsr_report **out,
		     const char *cmd)
{
	tlsr_err err = tlsr_check(reg, p, f, out);

	if (err != TLSR_OK) {
		fprintf(stderr, "tlsward %s: %s%s%s\n", cmd, tlsr_strerror(err),
			reg->message[0] ? ": " : "", reg->message);
		return EXIT_USAGE;
	}
	return 0;
}


/* What check, plan and apply all start from: the registry, the policy, the
 * facts, the report and the plan. */
struct session {
	struct target t;
	struct tlsr_policy policy;
	struct tlsr_facts facts;
	struct tlsr_report *report;
	struct tlsr_plan *plan;
};

/* Opens o's registry, loads the policy, reads the facts, checks and plans;
 * check_only: nothing is written back, so a .reg file is read for the keys
 * a check reads. Returns 0, or an exit code after printing why;
 * session_close either way. */
static int session_open(const char *cmd, const struct options *o,
			int check_only, struct session *s)
{
	int rc;

	memset(s, 0, sizeof *s);
	s->t.check_only = check_only;
	if ((rc = open_target(cmd, o->registry, o->codepage, &s->t)) != 0)
		return rc;
	if ((rc = load_policy(cmd, o, &s->t, &s->policy)) != 0)
		return rc;
	if ((rc = read_facts(cmd, o, &s->t, &s->facts)) != 0)
		return rc;
	if ((rc = run_check(s->t.reg, &s->policy, &s->facts, &s->report,
			    cmd)) != 0)
		return rc;
	if (tlsr_plan_make(s->report, &s->plan) != TLSR_OK) {
		fprintf(stderr, "tlsward %s: out of memory\n", cmd);
		return EXIT_USAGE;
	}
	return 0;
}

static void session_close(struct session *s)
{
	tlsr_plan_free(s->plan);
	tlsr_report_free(s->report);
	tlsr_registry_destroy(s->t.reg);
}

/* check and plan share everything but what they print. */
static int cmd_check_or_plan(int argc, char **argv, int plan)
{
	const char *cmd = argv[0];
	struct options o;
	struct session s;
	int rc;

	rc = parse_options(cmd, argc, argv,
			   OPT_POLICY | OPT_REGISTRY | OPT_FORMAT | OPT_FACTS, &o);
	if (rc != 0)
		return rc;
	if (o.help) {
		print_usage(stdout, plan ? usage_plan : usage_check, 1);
		return 0;
	}
	if ((rc = session_open(cmd, &o, 1, &s)) != 0)
		goto out;
	if (plan)
		rc = emit(o.format == FORMAT_JSON
				  ? tlsr_plan_json(s.report, s.plan)
				  : tlsr_plan_text(s.report, s.plan));
	else
		rc = emit(o.format == FORMAT_JSON ? tlsr_report_json(s.report)
						  : tlsr_report_text(s.report));
	rc = rc != 0 ? EXIT_USAGE : exit_for(s.report);
out:
	session_close(&s);
	return rc;
}

static void print_action(void *data, const struct tlsr_report *r,
			 const struct tlsr_action *a, tlsr_err result)
{
	const struct tlsr_item *item = &r->items[a->item];
	const struct options *o = data;

	if (o->format == FORMAT_JSON)
		return;
	if (result == TLSR_OK)
		printf("  wrote    %-52s = 0x%08lx\n", item->id,
		       (unsigned long)a->value);
	else
		printf("  FAILED   %-52s : %s\n", item->id,
		       tlsr_strerror(result));
}

static int cmd_apply(int argc, char **argv)
{
	const char *cmd = argv[0];
	struct options o;
	struct session s;
	struct tlsr_report *after = NULL;
	struct tlsr_apply_result res;
	int rc;

	rc = parse_options(cmd, argc, argv,
			   OPT_POLICY | OPT_REGISTRY | OPT_OUT | OPT_FORMAT |
				   OPT_DRY_RUN | OPT_FACTS | OPT_FORCE,
			   &o);
	if (rc != 0)
		return rc;
	if (o.help) {
		print_usage(stdout, usage_apply, 1);
		return 0;
	}
	if (o.registry != NULL && o.out == NULL && !o.dry_run)
		return usage_error(cmd, "%s",
				   "--registry needs --out OUT.reg (the input "
				   "file is never changed)");
	if (o.registry == NULL && o.out != NULL)
		return usage_error(cmd, "%s", "--out goes with --registry");
	if (o.out != NULL && tlsr_file_same(o.registry, o.out))
		return usage_error(cmd,
				   "--out '%s' is the input file; the input is "
				   "never changed, name another file",
				   o.out);
	if (o.out != NULL && o.policy != NULL && tlsr_file_same(o.policy, o.out))
		return usage_error(cmd,
				   "--out '%s' is the policy file; name another "
				   "file",
				   o.out);
	if ((rc = session_open(cmd, &o, 0, &s)) != 0)
		goto out;
	if (s.t.live && !o.dry_run) {
		char mode[16] = "";

		tlsr_reg_get_string(s.t.reg, TLSR_KEY_PARAMETERS, TLSR_VIEW_64,
				    TLSR_PARAM_MODE, mode, sizeof mode);
		if (tlsr_policy_mode_override(TLSR_MODE_ENFORCE, mode) ==
		    TLSR_MODE_AUDIT) {
			if (!o.force) {
				fprintf(stderr,
					"tlsward %s: this computer is in audit "
					"mode (HKLM\\%s\\%s = %s): tlsward "
					"only reports here; nothing written. "
					"Give --force to write anyway.\n",
					cmd, TLSR_KEY_PARAMETERS,
					TLSR_PARAM_MODE, mode);
				rc = EXIT_USAGE;
				goto out;
			}
			s.policy.mode = TLSR_MODE_ENFORCE;
		}
	}
	if (o.dry_run || s.policy.mode == TLSR_MODE_AUDIT) {
		if (o.format == FORMAT_TEXT)
			printf("%s: nothing written.\n",
			       o.dry_run ? "dry run" : "policy mode is audit");
		rc = emit(o.format == FORMAT_JSON
				  ? tlsr_plan_json(s.report, s.plan)
				  : tlsr_plan_text(s.report, s.plan));
		rc = rc != 0 ? EXIT_USAGE : exit_for(s.report);
		goto out;
	}
	if (o.format == FORMAT_TEXT && s.plan->n_actions == 0)
		printf("Nothing to apply: every value the policy sets is "
		       "already in %s.\n",
		       s.t.label);
	else if (o.format == FORMAT_TEXT)
		printf("Applying %zu action%s to %s:\n", s.plan->n_actions,
		       s.plan->n_actions == 1 ? "" : "s", s.t.label);
	memset(&res, 0, sizeof res);
	tlsr_apply(s.t.reg, s.report, s.plan, print_action, &o, &res);
	if (o.out != NULL) {
		tlsr_err err = tlsr_regfile_write(
			s.t.reg, o.out, tlsr_regfile_format_of(s.t.reg));

		if (err != TLSR_OK) {
			fprintf(stderr, "tlsward apply: writing %s: %s%s%s\n",
				o.out, tlsr_strerror(err),
				s.t.reg->message[0] ? ": " : "",
				s.t.reg->message);
			rc = EXIT_WRITE_FAILED;
			goto out;
		}
		/* What counts is what a reader of OUT.reg gets back. */
		tlsr_registry_destroy(s.t.reg);
		s.t.reg = NULL;
		if ((rc = open_target(cmd, o.out, o.codepage, &s.t)) != 0)
			goto out;
	}
	if ((rc = run_check(s.t.reg, &s.policy, &s.facts, &after, cmd)) != 0)
		goto out;
	if (o.format == FORMAT_JSON) {
		rc = emit(tlsr_report_json(after));
	} else {
		if (res.failed > 0)
			printf("%zu write%s failed: %s\n", res.failed,
			       res.failed == 1 ? "" : "s", res.message);
		if (s.plan->n_actions == 0 && o.out != NULL)
			printf("%s written with the same values.\n\n", o.out);
		else if (s.plan->n_actions > 0)
			printf("\nAfter apply%s%s%s:\n", o.out ? " (" : "",
			       o.out ? o.out : "", o.out ? ")" : "");
		rc = emit(tlsr_report_text(after));
	}
	if (rc != 0)
		rc = EXIT_USAGE;
	else if (res.failed > 0)
		rc = EXIT_WRITE_FAILED;
	else
		rc = exit_for(after);
out:
	tlsr_report_free(after);
	session_close(&s);
	return rc;
}

static int cmd_rollback(int argc, char **argv)
{
	const char *cmd = argv[0];
	struct options o;
	struct target t = {0};
	struct tlsr_diag diag;
	size_t restored = 0;
	char msg[1100];
	tlsr_err err;
	int rc;

	rc = parse_options(cmd, argc, argv, OPT_REGISTRY | OPT_OUT, &o);
	if (rc != 0)
		return rc;
	if (o.help) {
		print_usage(stdout, usage_rollback, 0);
		return 0;
	}
	if ((o.registry == NULL) != (o.out == NULL))
		return usage_error(cmd, "%s", "--registry and --out go together");
	if ((rc = open_target(cmd, o.registry, o.codepage, &t)) != 0)
		return rc;
	memset(&diag, 0, sizeof diag);
	err = tlsr_rollback(t.reg, &restored, &diag);
	if (err != TLSR_OK) {
		if (diag.message[0] == '\0')
			tlsr_diag_set(&diag, "", 0, 0, "%s", tlsr_strerror(err));
		tlsr_diag_format(&diag, msg, sizeof msg);
		fprintf(stderr, "tlsward rollback: %s\n", msg);
		rc = EXIT_WRITE_FAILED;
	} else {
		printf("Restored %zu value%s from the journal.\n", restored,
		       restored == 1 ? "" : "s");
	}
	if (o.out != NULL) {
		err = tlsr_regfile_write(t.reg, o.out,
					 tlsr_regfile_format_of(t.reg));
		if (err != TLSR_OK) {
			fprintf(stderr, "tlsward rollback: writing %s: %s\n",
				o.out, tlsr_strerror(err));
			rc = EXIT_WRITE_FAILED;
		}
	}
	tlsr_registry_destroy(t.reg);
	return rc;
}

/* Status values, in the order they are shown. */
enum status_kind { ST_DWORD, ST_BOOL, ST_TEXT, ST_LIST, ST_BYTES };

/* A REG_QWORD Status value (a size in bytes); 0 when it is absent or no
 * QWORD. */
static int read_bytes(struct tlsr_registry *reg, const char *name,
		      uint64_t *bytes)
{
	struct tlsr_value v = {0};
	int ok = 0;

	*bytes = 0;
	if (tlsr_reg_get(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, name, &v) ==
		    TLSR_OK &&
	    v.type == TLSR_REG_QWORD && v.size == 8) {
		*bytes = tlsr_le64_get(v.data);
		ok = 1;
	}
	tlsr_value_clear(&v);
	return ok;
}

/* A size as "5784 KiB (5.6 MiB)". */
static void format_bytes(uint64_t bytes, char *buf, size_t size)
{
	snprintf(buf, size, "%llu KiB (%.1f MiB)",
		 (unsigned long long)(bytes / 1024),
		 (double)bytes / (1024.0 * 1024.0));
}

/* A REG_MULTI_SZ Status value as "a, b" into buf; 0 when it is absent or
 * no list. */
static int read_list(struct tlsr_registry *reg, const char *name, char *buf,
		     size_t size)
{
	struct tlsr_value v = {0};
	size_t at = 0, i = 0, len = 0;
	int ok = 0;

	buf[0] = '\0';
	if (tlsr_reg_get(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, name, &v) !=
		    TLSR_OK ||
	    v.type != TLSR_REG_MULTI_SZ)
		goto out;
	ok = 1;
	while (i + 1 < v.size) {
		char one[512];

		for (len = 0; i + len + 1 < v.size &&
			      (v.data[i + len] || v.data[i + len + 1]);
		     len += 2)
			;
		if (len == 0)
			break;
		if (tlsr_utf16le_to_utf8(v.data + i, len, one, sizeof one) > 0)
			at += (size_t)snprintf(buf + at, size > at ? size - at : 0,
					       "%s%s", at ? ", " : "", one);
		i += len + 2;
	}
out:
	tlsr_value_clear(&v);
	return ok;
}
static const struct {
	const char *name;
	const char *label;
	enum status_kind kind;
} status_values[] = {
#define STATUS_ROW(name, label, kind) {name, label, ST_##kind},
	TLSR_STATUS_VALUES(STATUS_ROW)
#undef STATUS_ROW
};

/* The floor in force and the policy key, from Parameters, when either is
 * installed: "LocalFloor" and "PolicyKey" in JSON. */
static void status_rules(const struct target *t, int json,
			 struct tlsr_sb *b)
{
	struct tlsr_machine_rules m;
	char floor[1100], key[256];

	tlsr_machine_rules_load(t->reg, &m);
	if (m.has_floor || m.key != NULL || m.broken) {
		tlsr_machine_describe(&m, floor, sizeof floor, key,
				      sizeof key);
		if (json) {
			tlsr_sb_puts(b, ", \"LocalFloor\": ");
			tlsr_sb_json(b, floor);
			tlsr_sb_puts(b, ", \"PolicyKey\": ");
			tlsr_sb_json(b, key);
		} else {
			tlsr_sb_printf(b, "%-26s %s\n", "local floor", floor);
			tlsr_sb_printf(b, "%-26s %s\n", "policy key", key);
		}
	}
	tlsr_machine_rules_free(&m);
}

/* 1 when the Status DWORD name is present and nonzero. */
static int status_flag(struct tlsr_registry *reg, const char *name)
{
	uint32_t dw = 0;

	return tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64, name,
				  &dw) == TLSR_OK &&
	       dw != 0;
}

/* Why Status says a client is not ready for servers that require TLS 1.2,
 * from the other values the service wrote with it, the first that holds:
 * blocked, a restart owed, a critical risk, no proof, a component. */
static void status_why_not_ready(struct tlsr_registry *reg, char *buf,
				 size_t size)
{
	static const struct {
		const char *name, *component;
	} comps[] = {{TLSR_ST_TLS12_WINHTTP, "WinHTTP"},
		     {TLSR_ST_TLS12_SCHANNEL, "SChannel"},
		     {TLSR_ST_TLS12_DOTNET, ".NET"}};
	char text[512];
	uint32_t dw;

	if (status_flag(reg, TLSR_ST_BLOCKED) &&
	    tlsr_reg_get_string(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				TLSR_ST_BLOCKED_REASONS, text,
				sizeof text) == TLSR_OK) {
		snprintf(buf, size, "blocked: %s", text);
		return;
	}
	if (status_flag(reg, TLSR_ST_RESTART_PENDING)) {
		snprintf(buf, size, "the restart these changes need has not "
				    "happened yet");
		return;
	}
	if (status_flag(reg, TLSR_ST_RISK_CRITICAL)) {
		snprintf(buf, size, "a critical risk, see risks");
		return;
	}
	if (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
			       TLSR_ST_PROVEN, &dw) == TLSR_OK &&
	    dw == 0) {
		snprintf(buf, size, "TLS 1.2 is not proven on the wire yet");
		return;
	}
	for (size_t i = 0; i < sizeof comps / sizeof comps[0]; i++) {
		if (tlsr_reg_get_dword(reg, TLSR_KEY_STATUS, TLSR_VIEW_64,
				       comps[i].name, &dw) == TLSR_OK &&
		    dw == 0) {
			snprintf(buf, size, "TLS 1.2 does not hold yet in %s",
				 comps[i].component);
			return;
		}
	}
	snprintf(buf, size, "see tlsward check");
}

static int cmd_status(int argc, char **argv)
{
	const char *cmd = argv[0];
	struct options o;
	struct target t = {0};
	struct tlsr_sb b = {0};
	int rc, found = 0;
	size_t n = sizeof status_values / sizeof status_values[0];

	rc = parse_options(cmd, argc, argv, OPT_REGISTRY | OPT_FORMAT, &o);
	if (rc != 0)
		return rc;
	if (o.help) {
		print_usage(stdout, usage_status, 0);
		return 0;
	}
	if ((rc = open_target(cmd, o.registry, o.codepage, &t)) != 0)
		return rc;
	if (o.format == FORMAT_JSON)
		tlsr_sb_puts(&b, "{");
	for (size_t i = 0; i < n; i++) {
		char text[1024];
		uint32_t dw = 0;
		uint64_t bytes = 0;
		int have;

		if (status_values[i].kind == ST_LIST)
			have = read_list(t.reg, status_values[i].name, text,
					 sizeof text);
		else if (status_values[i].kind == ST_BYTES)
			have = read_bytes(t.reg, status_values[i].name, &bytes);
		else if (status_values[i].kind == ST_TEXT)
			have = tlsr_reg_get_string(t.reg, TLSR_KEY_STATUS,
						   TLSR_VIEW_64,
						   status_values[i].name, text,
						   sizeof text) == TLSR_OK;
		else
			have = tlsr_reg_get_dword(t.reg, TLSR_KEY_STATUS,
						  TLSR_VIEW_64,
						  status_values[i].name,
						  &dw) == TLSR_OK;
		found |= have;
		if (o.format == FORMAT_JSON) {
			tlsr_sb_printf(&b, "%s\"%s\": ", i ? ", " : "",
				       status_values[i].name);
			if (!have)
				tlsr_sb_puts(&b, "null");
			else if (status_values[i].kind == ST_TEXT ||
				 status_values[i].kind == ST_LIST)
				tlsr_sb_json(&b, text);
			else if (status_values[i].kind == ST_BOOL)
				tlsr_sb_puts(&b, dw ? "true" : "false");
			else if (status_values[i].kind == ST_BYTES)
				tlsr_sb_printf(&b, "%llu",
					       (unsigned long long)bytes);
			else
				tlsr_sb_printf(&b, "%lu", (unsigned long)dw);
			continue;
		}
		if (!have)
			continue;
		tlsr_sb_printf(&b, "%-26s ", status_values[i].label);
		if (status_values[i].kind == ST_TEXT ||
		    status_values[i].kind == ST_LIST)
			tlsr_sb_printf(&b, "%s\n", text);
		else if (status_values[i].kind == ST_BOOL && dw == 0 &&
			 (strcmp(status_values[i].name,
				 TLSR_ST_READY_FOR_SERVER_TLS12) == 0 ||
			  strcmp(status_values[i].name,
				 TLSR_ST_READY_FOR_SERVER) == 0)) {
			status_why_not_ready(t.reg, text, sizeof text);
			tlsr_sb_printf(&b, "no (%s)\n", text);
		} else if (status_values[i].kind == ST_BOOL)
			tlsr_sb_printf(&b, "%s\n", dw ? "yes" : "no");
		else if (status_values[i].kind == ST_BYTES) {
			format_bytes(bytes, text, sizeof text);
			tlsr_sb_printf(&b, "%s\n", text);
		} else
			tlsr_sb_printf(&b, "%lu\n", (unsigned long)dw);
	}
	status_rules(&t, o.format == FORMAT_JSON, &b);
	if (o.format == FORMAT_JSON)
		tlsr_sb_puts(&b, "}\n");
	else if (!found)
		tlsr_sb_printf(&b,
			       "No status recorded in %s: the tlsward service "
			       "has not checked this machine yet.\n",
			       t.label);
	tlsr_registry_destroy(t.reg);
	return emit(tlsr_sb_finish(&b)) != 0 ? EXIT_USAGE : 0;
}

/* Reads --floor and --key for `policy validate|verify` into rules. */
static int policy_rules(const char *floor_path, const char *key_path,
			struct tlsr_floor *floor, char **key,
			struct tlsr_accept_rules *rules)
{
	struct tlsr_diag diag;
	char msg[1100], why[256];
	size_t key_len = 0;
	tlsr_err err;

	memset(rules, 0, sizeof *rules);
	memset(&diag, 0, sizeof diag);
	if (floor_path != NULL) {
		if (tlsr_floor_load_file(floor_path, floor, &diag) != TLSR_OK) {
			tlsr_diag_format(&diag, msg, sizeof msg);
			fprintf(stderr, "%s\n", msg);
			return EXIT_USAGE;
		}
		rules->floor = floor;
	}
	if (key_path != NULL) {
		err = tlsr_accept_read_file(key_path, TLSR_KEY_MAX_BYTES, key,
					    &key_len);
		if (err != TLSR_OK) {
			fprintf(stderr, "tlsward policy: cannot read the key "
				"%s: %s\n", key_path,
				err == TLSR_EIO ? strerror(errno)
						: tlsr_strerror(err));
			return EXIT_USAGE;
		}
		if (tlsr_sig_key_check(*key, key_len, why, sizeof why) !=
		    TLSR_OK) {
			fprintf(stderr, "tlsward policy: %s: %s\n", key_path,
				why);
			return EXIT_USAGE;
		}
		rules->key = *key;
		rules->key_len = key_len;
	}
	return 0;
}

static int cmd_policy(int argc, char **argv)
{
	const char *file = NULL, *floor_path = NULL, *key_path = NULL;
	struct tlsr_accept_rules rules;
	struct tlsr_accepted acc;
	struct tlsr_floor floor;
	struct tlsr_diag diag;
	char msg[1100], *key = NULL;
	int verify, i, rc;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
			  strcmp(argv[1], "-h") == 0)) {
		print_usage(stdout, usage_policy, 0);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "validate") != 0 &&
			 strcmp(argv[1], "verify") != 0))
		return usage_error("policy", "%s", "the subcommands are "
						   "'validate FILE' and "
						   "'verify FILE --key PUB.pem'");
	verify = strcmp(argv[1], "verify") == 0;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			print_usage(stdout, usage_policy, 0);
			return 0;
		}
		if ((strcmp(argv[i], "--floor") == 0 ||
		     strcmp(argv[i], "--key") == 0) && i + 1 >= argc)
			return usage_error("policy", "%s needs a FILE",
					   argv[i]);
		if (strcmp(argv[i], "--floor") == 0)
			floor_path = argv[++i];
		else if (strcmp(argv[i], "--key") == 0)
			key_path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return usage_error("policy", "unknown option '%s'",
					   argv[i]);
		else if (file != NULL)
			return usage_error("policy", "%s",
					   "give exactly one policy FILE");
		else
			file = argv[i];
	}
	if (file == NULL)
		return usage_error("policy", "%s", "give a policy FILE");
	if (verify && key_path == NULL)
		return usage_error("policy", "%s",
				   "verify needs --key PUB.pem");
	rc = policy_rules(floor_path, key_path, &floor, &key, &rules);
	if (rc != 0) {
		free(key);
		return rc;
	}
	memset(&diag, 0, sizeof diag);
	if (tlsr_policy_accept_file(file, &rules, &acc, &diag) != TLSR_OK) {
		tlsr_diag_format(&diag, msg, sizeof msg);
		fprintf(stderr, "%s\n", msg);
		free(key);
		return EXIT_USAGE;
	}
	free(key);
	printf("%s: valid (mode %s", file, tlsr_mode_name(acc.policy.mode));
	if (acc.policy.serial != 0)
		printf(", serial %u", acc.policy.serial);
	if (rules.floor != NULL)
		printf(", above the local floor %s", floor_path);
	if (acc.signed_ok)
		printf(", signature valid for %s", key_path);
	printf(")\n");
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	return cmd_check_or_plan(argc, argv, 0);
}

static int cmd_plan(int argc, char **argv)
{
	return cmd_check_or_plan(argc, argv, 1);
}

static int cmd_probe(int argc, char **argv)
{
	return tlsr_probe_command(argc, argv, tlsr_platform_prober());
}

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"check", cmd_check},       {"plan", cmd_plan},
	{"apply", cmd_apply},       {"status", cmd_status},
	{"rollback", cmd_rollback}, {"policy", cmd_policy},
	{"probe", cmd_probe},
};

static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stderr, usage_main, 0);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		print_usage(stdout, usage_main, 0);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		if (argc > 2) {
			fprintf(stderr,
				"tlsward: unexpected argument '%s' after %s\n"
				"Try 'tlsward --help'.\n",
				argv[2], argv[1]);
			return EXIT_USAGE;
		}
		printf("tlsward %s\n", TLSR_VERSION_STRING);
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "service") == 0 || strcmp(argv[1], "run") == 0) {
		/* Help is the same text on every OS; the command runs on
		 * Windows only. */
		for (int i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--help") == 0 ||
			    strcmp(argv[i], "-h") == 0) {
				print_usage(stdout,
					    argv[1][0] == 's' ? usage_service
							      : usage_run,
					    0);
				return 0;
			}
		}
		return tlsr_platform_command(argc - 1, argv + 1);
	}
	fprintf(stderr, "tlsward: unknown command '%s'\nTry 'tlsward --help'.\n",
		argv[1]);
	return EXIT_USAGE;
}

int tlsr_cli_main(int argc, char **argv)
{
	return dispatch(argc, argv);
}
