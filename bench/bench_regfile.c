/* Benchmark: parsing a full-HKLM-sized .reg export.
 *
 * Uses the file named by TLSR_BENCH_REGFILE (for example a real
 * `regedit /E f.reg HKEY_LOCAL_MACHINE`), or generates a ~5 MB export shaped
 * like one (SOFTWARE\Classes with some 20k subkeys, CLSIDs, services, all
 * value types) and writes it to a temporary file.
 *
 * The parse time is reported as a ratio against a baseline run in the same
 * process on the same file: read the file into memory and decode its
 * UTF-16LE to UTF-8 (the least any reader must do). Each side runs several
 * times; the best time counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry.h"

#define RUNS 5

static double now_ms(void)
{
	return (double)clock() * 1000.0 / CLOCKS_PER_SEC;
}

/* Fills reg with a machine's worth of keys. */
static int generate(struct tlsr_registry *reg)
{
	static const uint8_t blob[48] = {
	    0x01, 0x00, 0x14, 0x80, 0x90, 0x00, 0x00, 0x00, 0xa0, 0x00,
	    0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00,
	    0x02, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x80,
	    0x14, 0x00, 0xff, 0x01, 0x0f, 0x00, 0x01, 0x01, 0x00, 0x00,
	    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	};
	char path[512], text[256];
	unsigned i;

	for (i = 0; i < 10500; i++) {
		snprintf(path, sizeof path, "SOFTWARE\\Classes\\.ext%05u", i);
		snprintf(text, sizeof text, "ext%ufile", i);
		if (tlsr_reg_set_string(reg, path, TLSR_VIEW_64, "", text))
			return -1;
		if (i % 4 == 0 &&
		    tlsr_reg_set_string(reg, path, TLSR_VIEW_64, "Content Type",
					"application/x-bench"))
			return -1;
	}
	for (i = 0; i < 4200; i++) {
		snprintf(path, sizeof path,
			 "SOFTWARE\\Classes\\CLSID\\{%08X-%04X-11D0-A2D5-"
			 "00C04FB%05X}\\InprocServer32",
			 i * 2654435761u, i & 0xffff, i);
		snprintf(text, sizeof text,
			 "%%SystemRoot%%\\system32\\bench%u.dll", i);
		if (tlsr_reg_set_string(reg, path, TLSR_VIEW_64,
					"ThreadingModel", "Both") ||
		    tlsr_reg_set(reg, path, TLSR_VIEW_64, "",
				 TLSR_REG_EXPAND_SZ, "%\0S\0y\0s\0\0\0", 10))
			return -1;
		snprintf(path + strlen(path) - strlen("\\InprocServer32"), 64,
			 "\\ProgID");
		snprintf(text, sizeof text, "Bench.Object.%u", i);
		if (tlsr_reg_set_string(reg, path, TLSR_VIEW_64, "", text))
			return -1;
	}
	for (i = 0; i < 500; i++) {
		snprintf(path, sizeof path,
			 "SYSTEM\\CurrentControlSet\\Services\\BenchSvc%u", i);
		snprintf(text, sizeof text,
			 "%%SystemRoot%%\\system32\\svchost.exe -k bench%u", i);
		if (tlsr_reg_set_string(reg, path, TLSR_VIEW_64, "ImagePath",
					text) ||
		    tlsr_reg_set_dword(reg, path, TLSR_VIEW_64, "Start", 3) ||
		    tlsr_reg_set_dword(reg, path, TLSR_VIEW_64, "Type", 0x20) ||
		    tlsr_reg_set(reg, path, TLSR_VIEW_64, "DependOnService",
				 TLSR_REG_MULTI_SZ,
				 "R\0p\0c\0S\0s\0\0\0T\0c\0p\0i\0p\0\0\0\0",
				 26))
			return -1;
		snprintf(path + strlen(path), 64, "\\Security");
		if (tlsr_reg_set(reg, path, TLSR_VIEW_64, "Security",
				 TLSR_REG_BINARY, blob, sizeof blob) ||
		    tlsr_reg_set(reg, path, TLSR_VIEW_64, "Stamp",
				 TLSR_REG_QWORD, blob, 8))
			return -1;
	}
	return 0;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0) {
		rewind(f);
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

int main(void)
{
	const char *path = getenv("TLSR_BENCH_REGFILE");
	char tmp[1024];
	double best_parse = 1e30, best_base = 1e30;
	size_t size = 0, keys = 0;
	int rc = EXIT_FAILURE;

	if (path == NULL || *path == '\0') {
		struct tlsr_registry *reg = tlsr_registry_mem_new();
		const char *dir = getenv("TMPDIR");

		snprintf(tmp, sizeof tmp, "%s/tlsward-bench-hklm.reg",
			 dir ? dir : "/tmp");
		if (reg == NULL || generate(reg) != 0 ||
		    tlsr_regfile_write(reg, tmp, TLSR_REGFILE_V5) != TLSR_OK) {
			fprintf(stderr, "bench_regfile: cannot generate %s\n",
				tmp);
			tlsr_registry_destroy(reg);
			return EXIT_FAILURE;
		}
		tlsr_registry_destroy(reg);
		path = tmp;
	} else {
		tmp[0] = '\0';
	}
	for (int run = 0; run < RUNS; run++) {
		struct tlsr_registry *reg = NULL;
		struct tlsr_diag diag;
		unsigned char *buf;
		char *text;
		size_t out_len;
		double t0, t1;

		t0 = now_ms();
		if (tlsr_regfile_read(path, &reg, &diag) != TLSR_OK) {
			char msg[1200];

			tlsr_diag_format(&diag, msg, sizeof msg);
			fprintf(stderr, "bench_regfile: %s\n", msg);
			goto out;
		}
		t1 = now_ms();
		if (t1 - t0 < best_parse)
			best_parse = t1 - t0;
		tlsr_registry_destroy(reg);

		/* Baseline: read the file and decode all of it. */
		t0 = now_ms();
		buf = slurp(path, &size);
		if (buf == NULL)
			goto out;
		text = malloc(size / 2 * 3 + 1);
		if (text == NULL) {
			free(buf);
			goto out;
		}
		out_len = tlsr_utf16le_to_utf8(buf + 2, size - 2, text,
					       size / 2 * 3 + 1);
		keys = 0;
		for (size_t i = 0; i + 1 < out_len; i++)
			keys += text[i] == '\n' && text[i + 1] == '[';
		t1 = now_ms();
		if (t1 - t0 < best_base)
			best_base = t1 - t0;
		free(text);
		free(buf);
	}
	if (best_base <= 0)
		best_base = 0.001;
	printf("regfile parse %.1f MB (%zu keys): %.1f ms; baseline (read + "
	       "decode) %.1f ms; ratio %.1f\n",
	       (double)size / 1e6, keys, best_parse, best_base,
	       best_parse / best_base);
	rc = EXIT_SUCCESS;
out:
	if (tmp[0] != '\0')
		remove(tmp);
	return rc;
}
