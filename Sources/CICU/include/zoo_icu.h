// Plain C entry points over ICU's normalizer. ICU's headers cannot be imported into Swift next to
// Foundation (its bundled ICU clashes), so Swift sees only these functions (MACHINE-NOTES).
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif
