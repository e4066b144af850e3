/* tlsward fuzz targets: libFuzzer's entry point, which AFL++ drives too
 * (afl-clang-fast -fsanitize=fuzzer) and driver.c replays from files. */
#ifndef TLSR_FUZZ_H
#define TLSR_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Runs one input; returns 0. A bug shows as a crash or a sanitizer
 * report, a broken invariant as abort(). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
