/* tlsward: the Windows entry point (-municode). Arguments arrive as UTF-16
 * and are handed on as UTF-8, which every layer below speaks. */
#include <stdlib.h>
#include <windows.h>

#include "cli.h"

int wmain(int argc, wchar_t **wargv);

int wmain(int argc, wchar_t **wargv)
{
	char **argv = calloc((size_t)argc + 1, sizeof *argv);
	int rc = 2;

	if (argv == NULL)
		return rc;
	SetConsoleOutputCP(CP_UTF8);
	for (int i = 0; i < argc; i++) {
		int n = WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, NULL, 0,
					    NULL, NULL);

		argv[i] = calloc(n > 0 ? (size_t)n : 1, 1);
		if (argv[i] == NULL)
			goto out;
		if (n > 0)
			WideCharToMultiByte(CP_UTF8, 0, wargv[i], -1, argv[i],
					    n, NULL, NULL);
	}
	rc = tlsr_cli_main(argc, argv);
out:
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return rc;
}
