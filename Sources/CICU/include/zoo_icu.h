// Plain C entry points over ICU's normalizer. ICU's headers cannot be imported into Swift next to
// Foundation (its bundled ICU clashes), so Swift sees only these functions (docs/performance-notes.md).
#pragma once
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Normalization forms understood by the functions below.
enum {
    ZOO_ICU_NFC = 0,
    ZOO_ICU_NFKC = 1,
    ZOO_ICU_NFKC_CASEFOLD = 2,
    ZOO_ICU_NFD = 3,
    ZOO_ICU_NFKD = 4,
};

/// Normalizes UTF-16 `src[0..<src_length]` into `dst` (capacity `dst_capacity` code units).
/// Returns the length of the full result (which may exceed `dst_capacity`: call again with a
/// buffer that large), or -1 when the form is unknown or ICU fails.
int32_t zoo_icu_normalize_utf16(int32_t form, const uint16_t *src, int32_t src_length,
                                uint16_t *dst, int32_t dst_capacity);

/// Normalizes UTF-8 `src[0..<src_length]` into `dst` (capacity `dst_capacity` bytes).
/// Ill-formed input sequences become U+FFFD; their number is stored in `*replaced` when it is
/// not NULL. Returns the byte length of the full result (which may exceed `dst_capacity`: call
/// again with a buffer that large), or -1 when the form is unknown or ICU fails.
int32_t zoo_icu_normalize_utf8(int32_t form, const char *src, int32_t src_length,
                               char *dst, int32_t dst_capacity, int32_t *replaced);

/// Normalizes the single code point `cp` and writes the result as code points into `dst`
/// (capacity `dst_capacity`). Returns the number of code points of the result (which may exceed
/// `dst_capacity`), or -1 on failure. Used to build character maps over all of Unicode.
int32_t zoo_icu_normalize_code_point(int32_t form, uint32_t cp, uint32_t *dst, int32_t dst_capacity);

/// Normalizes the code point sequence `src` and writes code points into `dst`; same contract
/// as `zoo_icu_normalize_code_point`.
int32_t zoo_icu_normalize_code_points(int32_t form, const uint32_t *src, int32_t src_length,
                                      uint32_t *dst, int32_t dst_capacity);

/// ICU's simple default case folding of one code point (u_foldCase with U_FOLD_CASE_DEFAULT).
uint32_t zoo_icu_fold_case(uint32_t cp);

/// Whether `cp` is assigned (general category other than Cn) in this ICU's Unicode version.
int32_t zoo_icu_is_assigned(uint32_t cp);

/// Whether `cp` is unassigned (Cn) or private use (Co): ICU maps such code points to themselves
/// under every normalization form and case folding.
int32_t zoo_icu_is_unassigned_or_private_use(uint32_t cp);

/// Writes the Unicode version of the linked ICU's data, e.g. "15.0", NUL-terminated.
void zoo_icu_unicode_version(char *buffer, int32_t capacity);

#ifdef __cplusplus
}
#endif
