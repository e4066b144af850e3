/* tlsward: ACLs on the service's state. The share is not the only way to
 * change what tlsward does: its Parameters (floor, policy key, policy
 * path), the journal a rollback restores from and the policy cache are
 * too, so only SYSTEM and Administrators may touch them. */
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "harden_win.h"
#include "names.h"
#include "wstr.h"

/* SetNamedSecurityInfoW with a protected DACL also resets the children:
 * every existing subkey and file then inherits exactly this DACL. */
static DWORD set_dacl(LPWSTR name, SE_OBJECT_TYPE type, PACL dacl)
{
	return SetNamedSecurityInfoW(name, type,
				     DACL_SECURITY_INFORMATION |
					     PROTECTED_DACL_SECURITY_INFORMATION,
				     NULL, NULL, dacl, NULL);
}

/* Windows propagates a protected DACL to the existing children; Wine does
 * not, so each subkey of the root and each file of the data directory is
 * set as well. Returns the first failure. */
static DWORD set_children(const wchar_t *parent, SE_OBJECT_TYPE type,
			  PACL dacl)
{
	wchar_t name[600], path[1200];
	DWORD rc = ERROR_SUCCESS, r, n, i;
	WIN32_FIND_DATAW fd;
	HANDLE find;
	HKEY key;

	if (type == SE_REGISTRY_KEY) {
		if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, parent + 8, 0,
				  KEY_ENUMERATE_SUB_KEYS | KEY_WOW64_64KEY,
				  &key) != ERROR_SUCCESS)
			return ERROR_SUCCESS;
		for (i = 0;; i++) {
			n = sizeof name / sizeof name[0];
			if (RegEnumKeyExW(key, i, name, &n, NULL, NULL, NULL,
					  NULL) != ERROR_SUCCESS)
				break;
			_snwprintf(path, 1200, L"%ls\\%ls", parent, name);
			path[1199] = L'\0';
			r = set_dacl(path, SE_REGISTRY_KEY, dacl);
			if (r == ERROR_SUCCESS)
				r = set_children(path, SE_REGISTRY_KEY, dacl);
			if (rc == ERROR_SUCCESS)
				rc = r;
		}
		RegCloseKey(key);
		return rc;
	}
	_snwprintf(path, 1200, L"%ls\\*", parent);
	path[1199] = L'\0';
	find = FindFirstFileW(path, &fd);
	if (find == INVALID_HANDLE_VALUE)
		return ERROR_SUCCESS;
	do {
		if (wcscmp(fd.cFileName, L".") == 0 ||
		    wcscmp(fd.cFileName, L"..") == 0 ||
		    (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
			continue;
		_snwprintf(path, 1200, L"%ls\\%ls", parent, fd.cFileName);
		path[1199] = L'\0';
		r = set_dacl(path, SE_FILE_OBJECT, dacl);
		if (rc == ERROR_SUCCESS)
			rc = r;
	} while (FindNextFileW(find, &fd));
	FindClose(find);
	return rc;
}

tlsr_err tlsr_win_harden(const char *data_dir, char *why, size_t why_size)
{
	static const wchar_t *const subkeys[] = {
		L"" TLSR_KEY_PARAMETERS, L"" TLSR_KEY_STATUS,
		L"" TLSR_KEY_JOURNAL};
	wchar_t key[] = L"MACHINE\\" TLSR_KEY_ROOT;
	size_t i;
	PSECURITY_DESCRIPTOR sd = NULL;
	BOOL present = FALSE, defaulted = FALSE;
	PACL dacl = NULL;
	wchar_t *wdir;
	DWORD rc;

	why[0] = '\0';
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
		    TLSR_HARDEN_SDDL, SDDL_REVISION_1, &sd, NULL) ||
	    !GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) ||
	    !present) {
		rc = GetLastError();
		tlsr_win_errtext(rc, why, why_size);
		if (sd != NULL)
			LocalFree(sd);
		return TLSR_ESYSTEM;
	}
	/* Parameters, Status and Journal exist from the start, so they
	 * are set here even where new keys do not inherit (Wine). */
	for (i = 0; i < sizeof subkeys / sizeof subkeys[0]; i++) {
		HKEY h;

		if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, subkeys[i], 0, NULL, 0,
				    KEY_READ | KEY_WOW64_64KEY, NULL, &h,
				    NULL) == ERROR_SUCCESS)
			RegCloseKey(h);
	}
	rc = set_dacl(key, SE_REGISTRY_KEY, dacl);
	if (rc == ERROR_SUCCESS)
		rc = set_children(key, SE_REGISTRY_KEY, dacl);
	if (rc != ERROR_SUCCESS) {
		char text[200];

		tlsr_win_errtext(rc, text, sizeof text);
		snprintf(why, why_size, "HKLM\\%s: %s", TLSR_KEY_ROOT, text);
		LocalFree(sd);
		return tlsr_win_map_error(rc, TLSR_ESYSTEM);
	}
	wdir = tlsr_win_wide(data_dir);
	rc = wdir ? set_dacl(wdir, SE_FILE_OBJECT, dacl)
		  : ERROR_NOT_ENOUGH_MEMORY;
	if (rc == ERROR_SUCCESS)
		rc = set_children(wdir, SE_FILE_OBJECT, dacl);
	free(wdir);
	LocalFree(sd);
	if (rc != ERROR_SUCCESS) {
		char text[200];

		tlsr_win_errtext(rc, text, sizeof text);
		snprintf(why, why_size, "%s: %s", data_dir, text);
		return tlsr_win_map_error(rc, TLSR_ESYSTEM);
	}
	return TLSR_OK;
}
