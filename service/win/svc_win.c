/* tlsward: the Windows platform: SCM plumbing, service install and
 * uninstall, `run --console`, and what platform.h promises the CLI. The
 * remediation loop itself is loop.c. */
#include <windows.h>
#include <shlobj.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "facts_win.h"
#include "harden_win.h"
#include "loop_win.h"
#include "machine.h"
#include "platform.h"
#include "registry_win32.h"
#include "util_win.h"

#define KEY_EVENT_SOURCE L"" TLSR_KEY_EVENT_SOURCE
#define SERVICE_NAME_W L"" TLSR_SERVICE_NAME
#define SERVICE_DISPLAY_W L"" TLSR_SERVICE_DISPLAY
#define KEY_PARAMETERS_W L"" TLSR_KEY_PARAMETERS
#define STOP_WAIT_MS 30000

/* What the SCM thread and the handler share; lives on ServiceMain's
 * stack and reaches the handler through its context pointer. */
struct svc {
	SERVICE_STATUS_HANDLE handle;
	SERVICE_STATUS status;
	HANDLE stop;
	HANDLE reload;
	HANDLE check_now;
	volatile LONG shutdown; /* the stop is a system shutdown */
};

/* The console's stop event: SetConsoleCtrlHandler's callback takes no
 * context, so this one handle is file-static. */
static HANDLE console_stop;

/* ---- platform.h ---- */

tlsr_err tlsr_platform_live_registry(struct tlsr_registry **out,
				     struct tlsr_diag *diag)
{
	struct tlsr_registry *reg = tlsr_registry_win32_new();

	if (reg == NULL) {
		tlsr_diag_set(diag, "", 0, 0,
			      "cannot open the registry: out of memory");
		return TLSR_ENOMEM;
	}
	*out = reg;
	return TLSR_OK;
}

void tlsr_platform_live_facts(struct tlsr_facts *facts)
{
	tlsr_facts_live(facts);
}

void tlsr_platform_data_dir(char *buf, size_t size)
{
	tlsr_win_data_dir(buf, size);
}

int tlsr_platform_expand(void *ctx, const char *in, char *out, size_t size)
{
	(void)ctx;
	return tlsr_win_expand(in, out, size);
}

/* Prints "tlsward: WHAT: error text (code)" and returns exit code 2. */
static int fail_win32(const char *what, DWORD code)
{
	char text[512];

	tlsr_win_errtext(code, text, sizeof text);
	fprintf(stderr, "tlsward: %s: %s\n", what, text);
	return 2;
}

/* ---- the service ---- */

/* Reports state to the SCM; pending states advance the checkpoint. */
static void report(struct svc *s, DWORD state, DWORD wait_hint)
{
	s->status.dwCurrentState = state;
	s->status.dwWaitHint = wait_hint;
	if (state == SERVICE_START_PENDING || state == SERVICE_STOP_PENDING)
		s->status.dwCheckPoint++;
	else
		s->status.dwCheckPoint = 0;
	s->status.dwControlsAccepted =
		state == SERVICE_RUNNING
			? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN |
				  SERVICE_ACCEPT_PARAMCHANGE
			: 0;
	SetServiceStatus(s->handle, &s->status);
}

/* The loop's running callback. */
static void report_running(void *data)
{
	report(data, SERVICE_RUNNING, 0);
}

/* Runs on the SCM's thread: turns controls into events for the loop. */
static DWORD WINAPI handler(DWORD control, DWORD type, LPVOID event_data,
			    LPVOID context)
{
	struct svc *s = context;

	(void)type;
	(void)event_data;
	switch (control) {
	case SERVICE_CONTROL_SHUTDOWN:
		InterlockedExchange(&s->shutdown, 1);
		/* fall through */
	case SERVICE_CONTROL_STOP:
		report(s, SERVICE_STOP_PENDING, 10000);
		SetEvent(s->stop);
		return NO_ERROR;
	case SERVICE_CONTROL_PARAMCHANGE:
		SetEvent(s->reload);
		return NO_ERROR;
	case TLSR_CONTROL_CHECK_NOW:
		SetEvent(s->check_now);
		return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		return NO_ERROR;
	default:
		return ERROR_CALL_NOT_IMPLEMENTED;
	}
}

/* What self-configuration could not do, for event 1000's reason; NULL at
 * install, where refusals are printed instead. */
struct notes {
	char text[600];
};

static void configure(SC_HANDLE svc, struct notes *n);

/* Appends "WHAT: error text" to n (or prints a warning when n is NULL). */
static void note_failure(struct notes *n, const char *what, DWORD code)
{
	char text[300];
	size_t len;

	tlsr_win_errtext(code, text, sizeof text);
	if (n == NULL) {
		fprintf(stderr, "tlsward: warning: %s failed: %s\n", what,
			text);
		return;
	}
	len = strlen(n->text);
	snprintf(n->text + len, sizeof n->text - len, "%s%s: %s",
		 len ? "; " : "Self-configuration incomplete: ", what, text);
}

/* Quotes the service's own ImagePath when its program path has a space and
 * no quotes, so Windows never tries "C:\\Program.exe" first. */
static void quote_image_path(SC_HANDLE svc, struct notes *n)
{
	QUERY_SERVICE_CONFIGW *cfg = NULL;
	DWORD need = 0;
	wchar_t *path, *exe_end, *quoted = NULL;
	size_t len;

	if (QueryServiceConfigW(svc, NULL, 0, &need) ||
	    GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
		note_failure(n, "QueryServiceConfigW", GetLastError());
		return;
	}
	cfg = malloc(need);
	if (cfg == NULL || !QueryServiceConfigW(svc, cfg, need, &need)) {
		note_failure(n, "QueryServiceConfigW",
			     cfg ? GetLastError() : ERROR_NOT_ENOUGH_MEMORY);
		goto out;
	}
	path = cfg->lpBinaryPathName;
	if (path == NULL || path[0] == L'"')
		goto out;
	exe_end = wcsstr(path, L".exe");
	if (exe_end == NULL)
		goto out;
	exe_end += 4;
	if (wmemchr(path, L' ', (size_t)(exe_end - path)) == NULL)
		goto out;
	len = wcslen(path) + 3;
	quoted = malloc(len * sizeof *quoted);
	if (quoted == NULL)
		goto out;
	swprintf(quoted, len, L"\"%.*ls\"%ls", (int)(exe_end - path), path,
		 exe_end);
	if (!ChangeServiceConfigW(svc, SERVICE_NO_CHANGE, SERVICE_NO_CHANGE,
				  SERVICE_NO_CHANGE, quoted, NULL, NULL, NULL,
				  NULL, NULL, NULL))
		note_failure(n, "quoting ImagePath (ChangeServiceConfigW)",
			     GetLastError());
out:
	free(quoted);
	free(cfg);
}

/* What an installer may not have set (wixl has no way to express delayed
 * start, failure actions or required privileges): the service sets them on
 * itself at every start. Best effort: a refusal never stops the service. */
static void self_configure(struct notes *n)
{
	char data_dir[MAX_PATH * 3], why[300];
	SC_HANDLE scm, svc;
	DWORD code;

	/* Installed by the MSI, the state gets its ACLs here. */
	tlsr_win_data_dir(data_dir, sizeof data_dir);
	if (tlsr_win_mkdirs(data_dir, &code) == TLSR_OK)
		tlsr_win_harden(data_dir, why, sizeof why);
	else
		note_failure(n, "creating the data directory", code);

	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (scm == NULL) {
		note_failure(n, "OpenSCManagerW", GetLastError());
		return;
	}
	svc = OpenServiceW(scm, SERVICE_NAME_W,
			   SERVICE_CHANGE_CONFIG | SERVICE_QUERY_CONFIG);
	if (svc != NULL) {
		quote_image_path(svc, n);
		configure(svc, n);
		CloseServiceHandle(svc);
	} else {
		note_failure(n, "OpenServiceW", GetLastError());
	}
	CloseServiceHandle(scm);
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
	struct tlsr_run_opts o = {0};
	struct notes notes = {0};
	struct svc s = {0};
	int code;

	(void)argc;
	(void)argv;
	s.status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	s.handle = RegisterServiceCtrlHandlerExW(SERVICE_NAME_W, handler,
						 &s);
	if (s.handle == NULL)
		return;
	report(&s, SERVICE_START_PENDING, 30000);
	self_configure(&notes);
	o.start_note = notes.text;
	s.stop = CreateEventW(NULL, TRUE, FALSE, NULL);
	s.reload = CreateEventW(NULL, FALSE, FALSE, NULL);
	s.check_now = CreateEventW(NULL, FALSE, FALSE, NULL);
	if (s.stop == NULL || s.reload == NULL || s.check_now == NULL) {
		s.status.dwWin32ExitCode = GetLastError();
		goto out;
	}
	o.stop = s.stop;
	o.reload = s.reload;
	o.check_now = s.check_now;
	o.shutdown = &s.shutdown;
	o.running = report_running;
	o.data = &s;
	code = tlsr_loop_run(&o);
	if (code == 2) {
		s.status.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
		s.status.dwServiceSpecificExitCode = (DWORD)code;
	}
out:
	if (s.check_now != NULL)
		CloseHandle(s.check_now);
	if (s.reload != NULL)
		CloseHandle(s.reload);
	/* The stop event stays open: the handler may still be running on
	 * the SCM's thread until the SERVICE_STOPPED report returns. */
	report(&s, SERVICE_STOPPED, 0);
}

/* `service run`: hands the process to the SCM. */
static int service_run(void)
{
	SERVICE_TABLE_ENTRYW table[] = {
		{(LPWSTR)SERVICE_NAME_W, service_main},
		{NULL, NULL},
	};

	if (!StartServiceCtrlDispatcherW(table)) {
		DWORD code = GetLastError();

		if (code == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
			fprintf(stderr,
				"tlsward: `service run` is what the service "
				"control manager starts; to run the loop "
				"here use `tlsward run --console`\n");
			return 2;
		}
		return fail_win32("StartServiceCtrlDispatcherW", code);
	}
	return 0;
}

/* ---- install / uninstall ---- */

/* Writes a string value of type REG_SZ or REG_EXPAND_SZ. */
static LSTATUS set_sz(HKEY key, const wchar_t *name, const wchar_t *value,
		      DWORD type)
{
	return RegSetValueExW(key, name, 0, type, (const BYTE *)value,
			      (DWORD)((wcslen(value) + 1) * sizeof(wchar_t)));
}

/* One ChangeServiceConfig2W level; a refusal is a warning, not fatal. */
static void config2(SC_HANDLE svc, DWORD level, void *info, const char *name,
		    struct notes *n)
{
	char what[128];

	if (!ChangeServiceConfig2W(svc, level, info)) {
		snprintf(what, sizeof what, "ChangeServiceConfig2W(%s)", name);
		note_failure(n, what, GetLastError());
	}
}

/* Delayed start, description, failure actions, required privileges. */
static void configure(SC_HANDLE svc, struct notes *n)
{
	SERVICE_DELAYED_AUTO_START_INFO delayed = {TRUE};
	SERVICE_DESCRIPTIONW desc = {
		(LPWSTR)L"Keeps this computer's TLS 1.2 settings (WinHTTP, "
			L"SChannel, .NET) as the tlsward policy says, heals "
			L"drift as it happens and reports to the event log."};
	SC_ACTION actions[3] = {
		{SC_ACTION_RESTART, 60000},
		{SC_ACTION_RESTART, 60000},
		{SC_ACTION_NONE, 0},
	};
	SERVICE_FAILURE_ACTIONSW failure = {0};
	SERVICE_FAILURE_ACTIONS_FLAG flag = {TRUE};
	SERVICE_REQUIRED_PRIVILEGES_INFOW privs = {
		(LPWSTR)L"SeShutdownPrivilege\0SeChangeNotifyPrivilege\0"};
	/* A service SID (NT SERVICE\tlsward) in the token: unrestricted, as
	 * the service writes system keys whose ACLs name no service SID. */
	SERVICE_SID_INFO sid = {SERVICE_SID_TYPE_UNRESTRICTED};

	failure.dwResetPeriod = 86400;
	failure.cActions = 3;
	failure.lpsaActions = actions;
	config2(svc, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed,
		"SERVICE_CONFIG_DELAYED_AUTO_START_INFO", n);
	config2(svc, SERVICE_CONFIG_DESCRIPTION, &desc,
		"SERVICE_CONFIG_DESCRIPTION", n);
	config2(svc, SERVICE_CONFIG_FAILURE_ACTIONS, &failure,
		"SERVICE_CONFIG_FAILURE_ACTIONS", n);
	config2(svc, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag,
		"SERVICE_CONFIG_FAILURE_ACTIONS_FLAG", n);
	config2(svc, SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO, &privs,
		"SERVICE_CONFIG_REQUIRED_PRIVILEGES_INFO", n);
	config2(svc, SERVICE_CONFIG_SERVICE_SID_INFO, &sid,
		"SERVICE_CONFIG_SERVICE_SID_INFO", n);
}

/* The Application log source, with the exe as message file. */
static int register_source(const wchar_t *exe)
{
	DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE |
		      EVENTLOG_INFORMATION_TYPE;
	HKEY key;
	LSTATUS rc;

	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, KEY_EVENT_SOURCE, 0, NULL, 0,
			     KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &key, NULL);
	if (rc != ERROR_SUCCESS)
		return fail_win32("cannot register the event source "
				  "(HKLM\\SYSTEM\\CurrentControlSet\\Services"
				  "\\EventLog\\Application\\tlsward)",
				  (DWORD)rc);
	rc = set_sz(key, L"EventMessageFile", exe, REG_EXPAND_SZ);
	if (rc == ERROR_SUCCESS)
		rc = RegSetValueExW(key, L"TypesSupported", 0, REG_DWORD,
				    (const BYTE *)&types, sizeof types);
	RegCloseKey(key);
	if (rc != ERROR_SUCCESS)
		return fail_win32("cannot write the event source's values",
				  (DWORD)rc);
	return 0;
}

/* Parameters: --policy and --mode when given; otherwise an existing value
 * is kept and a missing PolicyPath gets the default. */
static int write_parameters(const char *policy, const char *mode,
			    const char *data_dir)
{
	char def[MAX_PATH * 3];
	wchar_t *w = NULL;
	HKEY key;
	LSTATUS rc;
	DWORD type, len;

	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, KEY_PARAMETERS_W, 0, NULL, 0,
			     KEY_QUERY_VALUE | KEY_SET_VALUE | KEY_WOW64_64KEY,
			     NULL, &key, NULL);
	if (rc != ERROR_SUCCESS)
		return fail_win32("cannot create HKLM\\" TLSR_KEY_PARAMETERS,
				  (DWORD)rc);
	if (policy == NULL &&
	    RegQueryValueExW(key, L"" TLSR_PARAM_POLICY_PATH, NULL, &type, NULL, &len) !=
		    ERROR_SUCCESS) {
		snprintf(def, sizeof def, "%s\\" TLSR_FILE_POLICY, data_dir);
		policy = def;
	}
	if (policy != NULL) {
		w = tlsr_win_wide(policy);
		rc = w ? set_sz(key, L"" TLSR_PARAM_POLICY_PATH, w, REG_SZ)
		       : ERROR_NOT_ENOUGH_MEMORY;
		free(w);
		if (rc != ERROR_SUCCESS)
			goto fail;
	}
	if (mode != NULL || RegQueryValueExW(key, L"" TLSR_PARAM_MODE, NULL, &type, NULL,
					     &len) != ERROR_SUCCESS) {
		w = tlsr_win_wide(mode ? mode : "");
		rc = w ? set_sz(key, L"" TLSR_PARAM_MODE, w, REG_SZ)
		       : ERROR_NOT_ENOUGH_MEMORY;
		free(w);
		if (rc != ERROR_SUCCESS)
			goto fail;
	}
	RegCloseKey(key);
	return 0;
fail:
	RegCloseKey(key);
	return fail_win32("cannot write HKLM\\" TLSR_KEY_PARAMETERS,
			  (DWORD)rc);
}

/* `service install [--policy PATH] [--mode enforce|audit] [--floor FILE]
 * [--policy-key PUB.pem]`. */
/* Parameters\Floor and PolicyKey from `--floor` and `--policy-key`, as
 * text, so that no file left on disk can change them later. */
static int write_rules(const char *floor, const char *key)
{
	const char *names[2] = {TLSR_PARAM_FLOOR, TLSR_PARAM_POLICY_KEY};
	const char *texts[2] = {floor, key};
	wchar_t *wname, *wtext;
	HKEY hkey;
	LSTATUS rc = ERROR_SUCCESS;
	int i;

	if (floor == NULL && key == NULL)
		return 0;
	rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, KEY_PARAMETERS_W, 0, NULL, 0,
			     KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &hkey,
			     NULL);
	if (rc != ERROR_SUCCESS)
		return fail_win32("cannot create HKLM\\" TLSR_KEY_PARAMETERS,
				  (DWORD)rc);
	for (i = 0; i < 2 && rc == ERROR_SUCCESS; i++) {
		if (texts[i] == NULL)
			continue;
		wname = tlsr_win_wide(names[i]);
		wtext = tlsr_win_wide(texts[i]);
		rc = wname && wtext ? set_sz(hkey, wname, wtext, REG_SZ)
				    : ERROR_NOT_ENOUGH_MEMORY;
		free(wname);
		free(wtext);
	}
	RegCloseKey(hkey);
	if (rc != ERROR_SUCCESS)
		return fail_win32("cannot write the floor or the policy key",
				  (DWORD)rc);
	return 0;
}

static int service_install(int argc, char **argv)
{
	const char *policy = NULL, *mode = NULL, *floor = NULL, *key = NULL;
	char *floor_text = NULL, *key_text = NULL, msg[1100];
	struct tlsr_diag diag;
	wchar_t exe[MAX_PATH], cmd[MAX_PATH + 32];
	char data_dir[MAX_PATH * 3];
	SC_HANDLE scm = NULL, svc = NULL;
	int i, code = 2;
	DWORD n, mkdir_code;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
			policy = argv[++i];
		} else if (strcmp(argv[i], "--floor") == 0 && i + 1 < argc) {
			floor = argv[++i];
		} else if (strcmp(argv[i], "--policy-key") == 0 &&
			   i + 1 < argc) {
			key = argv[++i];
		} else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) {
			mode = argv[++i];
			if (strcmp(mode, "enforce") != 0 &&
			    strcmp(mode, "audit") != 0) {
				fprintf(stderr,
					"tlsward: --mode must be enforce or "
					"audit, not '%s'\n",
					mode);
				return 2;
			}
		} else {
			fprintf(stderr,
				"tlsward: unknown argument '%s'\nusage: "
				"tlsward service install [--policy PATH] "
				"[--mode enforce|audit] [--floor FILE] "
				"[--policy-key PUB.pem]\n",
				argv[i]);
			return 2;
		}
	}
	/* The floor and the key are checked before anything is installed. */
	memset(&diag, 0, sizeof diag);
	if (tlsr_machine_prepare(floor, key, &floor_text, &key_text, &diag) !=
	    TLSR_OK) {
		tlsr_diag_format(&diag, msg, sizeof msg);
		fprintf(stderr, "tlsward: %s\n", msg);
		return 2;
	}
	n = GetModuleFileNameW(NULL, exe, MAX_PATH);
	if (n == 0 || n == MAX_PATH)
		return fail_win32("cannot find tlsward.exe's own path",
				  GetLastError());
	_snwprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" service run",
		   exe);
	cmd[sizeof cmd / sizeof cmd[0] - 1] = L'\0';

	scm = OpenSCManagerW(NULL, NULL,
			     SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
	if (scm == NULL)
		return fail_win32("cannot open the service control manager",
				  GetLastError());
	svc = CreateServiceW(scm, SERVICE_NAME_W, SERVICE_DISPLAY_W,
			     SERVICE_ALL_ACCESS, SERVICE_WIN32_OWN_PROCESS,
			     SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, cmd,
			     NULL, NULL, NULL, NULL, NULL);
	if (svc == NULL && GetLastError() == ERROR_SERVICE_EXISTS) {
		/* Installing again repairs the configuration. */
		svc = OpenServiceW(scm, SERVICE_NAME_W, SERVICE_ALL_ACCESS);
		if (svc != NULL &&
		    !ChangeServiceConfigW(svc, SERVICE_WIN32_OWN_PROCESS,
					  SERVICE_AUTO_START,
					  SERVICE_ERROR_NORMAL, cmd, NULL,
					  NULL, NULL, NULL, NULL,
					  SERVICE_DISPLAY_W)) {
			code = fail_win32("cannot update the tlsward service",
					  GetLastError());
			goto out;
		}
	}
	if (svc == NULL) {
		code = fail_win32("cannot create the tlsward service",
				  GetLastError());
		goto out;
	}
	configure(svc, NULL);
	code = register_source(exe);
	if (code != 0)
		goto out;
	tlsr_win_data_dir(data_dir, sizeof data_dir);
	if (tlsr_win_mkdirs(data_dir, &mkdir_code) != TLSR_OK) {
		code = fail_win32("cannot create the data directory",
				  mkdir_code);
		goto out;
	}
	code = write_parameters(policy, mode, data_dir);
	if (code == 0)
		code = write_rules(floor_text, key_text);
	if (code != 0)
		goto out;
	if (tlsr_win_harden(data_dir, msg, sizeof msg) != TLSR_OK) {
		fprintf(stderr, "tlsward: cannot restrict access to the "
			"service's state: %s\n", msg);
		code = 2;
		goto out;
	}
	printf("tlsward: service installed (%ls); data in %s\n", cmd,
	       data_dir);
out:
	free(floor_text);
	free(key_text);
	if (svc != NULL)
		CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	return code;
}

/* Stops the service if it runs and waits, up to STOP_WAIT_MS in all, until
 * it reports SERVICE_STOPPED and then until its process has exited: a
 * stopped service's process still holds tlsward.exe open for a moment, and
 * an installer that removes or replaces the file then would find it in use.
 * A service still starting refuses the stop control, so it is sent again
 * until the service has taken it. The handle needs SERVICE_STOP and
 * SERVICE_QUERY_STATUS. Returns 0, or 2 after printing why. */
static int stop_and_wait(SC_HANDLE svc)
{
	SERVICE_STATUS_PROCESS sp;
	SERVICE_STATUS st;
	ULONGLONG start = GetTickCount64(), spent;
	DWORD pid = 0, len, left;
	HANDLE proc;
	int code = 0;

	if (QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&sp,
				 sizeof sp, &len))
		pid = sp.dwProcessId;
	if (!ControlService(svc, SERVICE_CONTROL_STOP, &st) &&
	    GetLastError() != ERROR_SERVICE_NOT_ACTIVE &&
	    GetLastError() != ERROR_SERVICE_CANNOT_ACCEPT_CTRL)
		return fail_win32("cannot stop the tlsward service",
				  GetLastError());
	/* Open the process before it can exit, so that its id cannot be
	 * reused; no handle means it has already gone. */
	proc = pid != 0 ? OpenProcess(SYNCHRONIZE, FALSE, pid) : NULL;
	for (;;) {
		if (!QueryServiceStatus(svc, &st)) {
			code = fail_win32("cannot query the tlsward service",
					  GetLastError());
			goto out;
		}
		if (st.dwCurrentState == SERVICE_STOPPED)
			break;
		if (GetTickCount64() - start > STOP_WAIT_MS)
			goto late;
		if (st.dwCurrentState == SERVICE_START_PENDING ||
		    st.dwCurrentState == SERVICE_RUNNING)
			ControlService(svc, SERVICE_CONTROL_STOP, &st);
		Sleep(100);
	}
	if (proc != NULL) {
		spent = GetTickCount64() - start;
		left = spent < STOP_WAIT_MS ? (DWORD)(STOP_WAIT_MS - spent) : 0;
		if (WaitForSingleObject(proc, left) != WAIT_OBJECT_0)
			goto late;
	}
	goto out;
late:
	fprintf(stderr, "tlsward: the service did not stop within %u s\n",
		STOP_WAIT_MS / 1000);
	code = 2;
out:
	if (proc != NULL)
		CloseHandle(proc);
	return code;
}

/* `service stop`: stops the service and waits until its process has
 * exited (the installer runs it before it removes or replaces files). */
static int service_stop(void)
{
	SC_HANDLE scm, svc;
	int code = 0;

	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (scm == NULL)
		return fail_win32("cannot open the service control manager",
				  GetLastError());
	svc = OpenServiceW(scm, SERVICE_NAME_W,
			   SERVICE_STOP | SERVICE_QUERY_STATUS);
	if (svc == NULL) {
		if (GetLastError() == ERROR_SERVICE_DOES_NOT_EXIST)
			printf("tlsward: the service is not installed\n");
		else
			code = fail_win32("cannot open the tlsward service",
					  GetLastError());
	} else {
		code = stop_and_wait(svc);
		if (code == 0)
			printf("tlsward: service stopped\n");
		CloseServiceHandle(svc);
	}
	CloseServiceHandle(scm);
	return code;
}

/* `service uninstall`: stop, delete, remove the event source. */
static int service_uninstall(void)
{
	SC_HANDLE scm, svc;
	int code = 0;
	LSTATUS rc;

	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (scm == NULL)
		return fail_win32("cannot open the service control manager",
				  GetLastError());
	svc = OpenServiceW(scm, SERVICE_NAME_W,
			   SERVICE_STOP | SERVICE_QUERY_STATUS | DELETE);
	if (svc == NULL) {
		if (GetLastError() != ERROR_SERVICE_DOES_NOT_EXIST) {
			code = fail_win32("cannot open the tlsward service",
					  GetLastError());
			goto out;
		}
		printf("tlsward: the service is not installed\n");
	} else {
		code = stop_and_wait(svc);
		if (code != 0)
			goto out;
		if (!DeleteService(svc) &&
		    GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE) {
			code = fail_win32("cannot delete the tlsward service",
					  GetLastError());
			goto out;
		}
		printf("tlsward: service removed\n");
	}
	rc = RegDeleteTreeW(HKEY_LOCAL_MACHINE, KEY_EVENT_SOURCE);
	if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND)
		code = fail_win32("cannot remove the event source", (DWORD)rc);
out:
	if (svc != NULL)
		CloseServiceHandle(svc);
	CloseServiceHandle(scm);
	return code;
}

/* Sends a control to the running service: "check-now" (128), "reload"
 * (PARAMCHANGE) or a number from 128 to 255. Wine's sc.exe has no
 * `sc control`, and this also works where sc.exe is not at hand. */
static int service_control(const char *what)
{
	SERVICE_STATUS st;
	SC_HANDLE scm, svc;
	DWORD control, access;
	char *end;
	int code = 0;

	if (strcmp(what, "check-now") == 0) {
		control = TLSR_CONTROL_CHECK_NOW;
	} else if (strcmp(what, "reload") == 0) {
		control = SERVICE_CONTROL_PARAMCHANGE;
	} else {
		unsigned long n = strtoul(what, &end, 10);

		if (*what == '\0' || *end != '\0' || n < 128 || n > 255) {
			fprintf(stderr,
				"tlsward: service control takes check-now, "
				"reload or a number from 128 to 255, not "
				"'%s'\n",
				what);
			return 2;
		}
		control = (DWORD)n;
	}
	access = control == SERVICE_CONTROL_PARAMCHANGE
			 ? SERVICE_PAUSE_CONTINUE
			 : SERVICE_USER_DEFINED_CONTROL;
	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (scm == NULL)
		return fail_win32("cannot open the service control manager",
				  GetLastError());
	svc = OpenServiceW(scm, SERVICE_NAME_W, access);
	if (svc == NULL) {
		code = fail_win32("cannot open the tlsward service",
				  GetLastError());
		goto out;
	}
	if (!ControlService(svc, control, &st))
		code = fail_win32("the tlsward service refused the control",
				  GetLastError());
	CloseServiceHandle(svc);
out:
	CloseServiceHandle(scm);
	return code;
}

/* ---- run --console ---- */

/* Ctrl+C, Ctrl+Break, closing the console: stop the loop. */
static BOOL WINAPI console_ctrl(DWORD type)
{
	if (type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT ||
	    type == CTRL_CLOSE_EVENT) {
		SetEvent(console_stop);
		return TRUE;
	}
	return FALSE;
}

/* `run --console [--policy PATH] [--once]`. */
static int run_console(int argc, char **argv)
{
	struct tlsr_run_opts o = {0};
	int i, console = 0, code;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--console") == 0) {
			console = 1;
		} else if (strcmp(argv[i], "--once") == 0) {
			o.once = 1;
		} else if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
			o.policy_path = argv[++i];
		} else {
			fprintf(stderr,
				"tlsward: unknown argument '%s'\nusage: "
				"tlsward run --console [--policy PATH] "
				"[--once]\n",
				argv[i]);
			return 2;
		}
	}
	if (!console) {
		fprintf(stderr, "tlsward: usage: tlsward run --console "
				"[--policy PATH] [--once] (the service itself "
				"runs `tlsward service run`)\n");
		return 2;
	}
	o.console = 1;
	console_stop = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (console_stop == NULL)
		return fail_win32("CreateEventW", GetLastError());
	o.stop = console_stop;
	SetConsoleCtrlHandler(console_ctrl, TRUE);
	code = tlsr_loop_run(&o);
	SetConsoleCtrlHandler(console_ctrl, FALSE);
	CloseHandle(console_stop);
	console_stop = NULL;
	return code;
}

int tlsr_platform_command(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "run") == 0)
		return run_console(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[0], "service") == 0) {
		if (strcmp(argv[1], "install") == 0)
			return service_install(argc - 2, argv + 2);
		if (strcmp(argv[1], "uninstall") == 0 && argc == 2)
			return service_uninstall();
		if (strcmp(argv[1], "stop") == 0 && argc == 2)
			return service_stop();
		if (strcmp(argv[1], "run") == 0 && argc == 2)
			return service_run();
		if (strcmp(argv[1], "control") == 0 && argc == 3)
			return service_control(argv[2]);
	}
	fprintf(stderr, "tlsward: usage: tlsward service install [--policy "
			"PATH] [--mode enforce|audit] [--floor FILE] [--policy-key PUB.pem] | "
			"service uninstall | "
			"service stop | service run | "
			"service control check-now|reload | "
			"run --console [--policy PATH] [--once]\n");
	return 2;
}
