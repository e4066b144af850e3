/* minsvc: the least a Windows service can be; the memory baseline of the
 * Wine benchmarks (bench-wine.sh). Its process holds what every service
 * process holds under Wine and nothing of tlsward's: the main thread in
 * StartServiceCtrlDispatcherW, sechost's control thread, and the thread
 * running ServiceMain, which reports RUNNING and waits for the stop.
 *
 *   minsvc            run as a service (the SCM starts it)
 *
 * Installed by the benchmark with `sc create NAME binPath= ...`. Exit
 * codes: 0 stopped, 2 not started by the service control manager. */
#include <windows.h>

#include <stdio.h>

static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop;

static void report(DWORD state)
{
	status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	status.dwCurrentState = state;
	status.dwControlsAccepted =
		state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
	SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI handler(DWORD control, DWORD type, LPVOID data,
			    LPVOID context)
{
	(void)type;
	(void)data;
	(void)context;
	if (control == SERVICE_CONTROL_STOP) {
		report(SERVICE_STOP_PENDING);
		SetEvent(stop);
	}
	return NO_ERROR;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv)
{
	(void)argc;
	status_handle = RegisterServiceCtrlHandlerExW(argv[0], handler, NULL);
	if (status_handle == NULL)
		return;
	report(SERVICE_RUNNING);
	WaitForSingleObject(stop, INFINITE);
	report(SERVICE_STOPPED);
}

int wmain(void);

int wmain(void)
{
	SERVICE_TABLE_ENTRYW table[] = {{(LPWSTR)L"minsvc", service_main},
					{NULL, NULL}};

	stop = CreateEventW(NULL, TRUE, FALSE, NULL);
	if (stop == NULL || !StartServiceCtrlDispatcherW(table)) {
		fprintf(stderr, "minsvc: not started as a service (%lu)\n",
			GetLastError());
		return 2;
	}
	return 0;
}
