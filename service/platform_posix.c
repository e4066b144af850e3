/* tlsward: the platform off Windows. There is no live registry and no
 * service: the CLI works on exported .reg files only. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "platform.h"

tlsr_err tlsr_platform_live_registry(struct tlsr_registry **out,
				     struct tlsr_diag *diag)
{
	*out = NULL;
	tlsr_diag_set(diag, "", 0, 0,
		      "there is no live Windows registry on this system: "
		      "give an exported .reg file with --registry FILE");
	return TLSR_EUNSUPPORTED;
}

void tlsr_platform_live_facts(struct tlsr_facts *facts)
{
	(void)facts;
}

void tlsr_platform_data_dir(char *buf, size_t size)
{
	snprintf(buf, size, "C:\\ProgramData\\" TLSR_DATA_DIR_NAME);
}

int tlsr_platform_expand(void *ctx, const char *in, char *out, size_t size)
{
	(void)ctx;
	(void)in;
	(void)out;
	(void)size;
	return -1;
}

int tlsr_platform_command(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr,
		"tlsward: '%s' runs only on Windows; this build audits and "
		"remediates exported .reg files (see tlsward --help)\n",
		argv[0]);
	return 2;
}

int main(int argc, char **argv)
{
	return tlsr_cli_main(argc, argv);
}
