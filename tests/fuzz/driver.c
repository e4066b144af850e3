/* tlsward fuzz replay: runs LLVMFuzzerTestOneInput on each file named on the
 * command line, for builds without libFuzzer or AFL++ (a crash found by the
 * fuzzer replays under gdb or the sanitizers with plain gcc). */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

int main(int argc, char **argv)
{
	unsigned char *buf;
	size_t len;
	FILE *f;
	int i;

	buf = malloc(1u << 20);
	if (buf == NULL)
		return 1;
	for (i = 1; i < argc; i++) {
		f = fopen(argv[i], "rb");
		if (f == NULL) {
			perror(argv[i]);
			free(buf);
			return 1;
		}
		len = fread(buf, 1, 1u << 20, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("%d inputs ran\n", argc - 1);
	free(buf);
	return 0;
}
