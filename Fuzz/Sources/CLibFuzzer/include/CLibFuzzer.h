#pragma once
#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver, for a program that has its own main (SwiftPM renames an executable's main, so
// libFuzzer's own cannot be used). Linked in by -sanitize=fuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
