#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt's FuzzerDriver.cpp, linked by -sanitize=fuzzer). SwiftPM points
// an executable's `main` at the module's own entry (`--defsym main=<Module>_main`), which would hide
// libFuzzer's `main`, so each target's main.swift calls the driver itself.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
