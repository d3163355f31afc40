#include "zoo_icu.h"

#include <stdio.h>
#include <stdlib.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/uversion.h>

static const UNormalizer2 *instance(int32_t form) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *n = NULL;
    switch (form) {
    case ZOO_ICU_NFC: n = unorm2_getNFCInstance(&status); break;
    case ZOO_ICU_NFKC: n = unorm2_getNFKCInstance(&status); break;
    case ZOO_ICU_NFKC_CASEFOLD: n = unorm2_getNFKCCasefoldInstance(&status); break;
    case ZOO_ICU_NFD: n = unorm2_getNFDInstance(&status); break;
    case ZOO_ICU_NFKD: n = unorm2_getNFKDInstance(&status); break;
    default: return NULL;
    }
    return U_SUCCESS(status) ? n : NULL;
}

int32_t zoo_icu_normalize_utf16(int32_t form, const uint16_t *src, int32_t src_length,
                                uint16_t *dst, int32_t dst_capacity) {
    const UNormalizer2 *n = instance(form);
    if (n == NULL || src_length < 0) return -1;
    UErrorCode status = U_ZERO_ERROR;
    int32_t length = unorm2_normalize(n, (const UChar *)src, src_length, (UChar *)dst,
                                      dst_capacity, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING) return length;
    return U_SUCCESS(status) ? length : -1;
}

// Converts UTF-8 to UTF-16 (ill-formed sequences become U+FFFD), normalizes, converts back.
int32_t zoo_icu_normalize_utf8(int32_t form, const char *src, int32_t src_length,
                               char *dst, int32_t dst_capacity, int32_t *replaced) {
    const UNormalizer2 *n = instance(form);
    if (n == NULL || src_length < 0) return -1;
    if (replaced) *replaced = 0;
    if (src_length == 0) return 0;

    UChar stack_in[512], stack_out[1024];
    UChar *in = stack_in, *out = stack_out;
    int32_t result = -1;

    // UTF-16 never needs more code units than UTF-8 has bytes.
    if (src_length > (int32_t)(sizeof stack_in / sizeof stack_in[0])) {
        in = malloc(sizeof(UChar) * (size_t)src_length);
        if (in == NULL) goto done;
    }
    UErrorCode status = U_ZERO_ERROR;
    int32_t in_length = 0, subs = 0;
    u_strFromUTF8WithSub(in, src_length, &in_length, src, src_length, 0xFFFD, &subs, &status);
    if (U_FAILURE(status) && status != U_STRING_NOT_TERMINATED_WARNING) goto done;
    if (replaced) *replaced = subs;

    int32_t out_capacity = (int32_t)(sizeof stack_out / sizeof stack_out[0]);
    status = U_ZERO_ERROR;
    int32_t out_length = unorm2_normalize(n, in, in_length, out, out_capacity, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        out = malloc(sizeof(UChar) * (size_t)out_length);
        if (out == NULL) goto done;
        out_capacity = out_length;
        status = U_ZERO_ERROR;
        out_length = unorm2_normalize(n, in, in_length, out, out_capacity, &status);
    }
    if (U_FAILURE(status) && status != U_STRING_NOT_TERMINATED_WARNING) goto done;

    status = U_ZERO_ERROR;
    int32_t dst_length = 0;
    u_strToUTF8(dst, dst_capacity, &dst_length, out, out_length, &status);
    if (U_SUCCESS(status) || status == U_BUFFER_OVERFLOW_ERROR ||
        status == U_STRING_NOT_TERMINATED_WARNING) {
        result = dst_length;
    }
done:
    if (in != stack_in) free(in);
    if (out != stack_out) free(out);
    return result;
}

int32_t zoo_icu_normalize_code_points(int32_t form, const uint32_t *src, int32_t src_length,
                                      uint32_t *dst, int32_t dst_capacity) {
    const UNormalizer2 *n = instance(form);
    if (n == NULL || src_length < 0 || src_length > 64) return -1;
    UChar in[128], out[512];
    int32_t in_length = 0;
    for (int32_t i = 0; i < src_length; i++) {
        uint32_t c = src[i];
        if (c > 0x10FFFF) return -1;
        U16_APPEND_UNSAFE(in, in_length, c);
    }
    UErrorCode status = U_ZERO_ERROR;
    int32_t out_length = unorm2_normalize(n, in, in_length, out, 512, &status);
    if (U_FAILURE(status) || status == U_STRING_NOT_TERMINATED_WARNING) return -1;
    int32_t count = 0;
    for (int32_t i = 0; i < out_length;) {
        UChar32 c;
        U16_NEXT(out, i, out_length, c);
        if (count < dst_capacity) dst[count] = (uint32_t)c;
        count++;
    }
    return count;
}

int32_t zoo_icu_normalize_code_point(int32_t form, uint32_t cp, uint32_t *dst, int32_t dst_capacity) {
    return zoo_icu_normalize_code_points(form, &cp, 1, dst, dst_capacity);
}

uint32_t zoo_icu_fold_case(uint32_t cp) {
    return (uint32_t)u_foldCase((UChar32)cp, U_FOLD_CASE_DEFAULT);
}

int32_t zoo_icu_is_assigned(uint32_t cp) {
    return u_charType((UChar32)cp) != U_UNASSIGNED;
}

int32_t zoo_icu_is_unassigned_or_private_use(uint32_t cp) {
    int8_t type = u_charType((UChar32)cp);
    return type == U_UNASSIGNED || type == U_PRIVATE_USE_CHAR;
}

void zoo_icu_unicode_version(char *buffer, int32_t capacity) {
    if (buffer == NULL || capacity <= 0) return;
    UVersionInfo v;
    u_getUnicodeVersion(v);
    char text[U_MAX_VERSION_STRING_LENGTH];
    u_versionToString(v, text);
    snprintf(buffer, (size_t)capacity, "%s", text);
}
