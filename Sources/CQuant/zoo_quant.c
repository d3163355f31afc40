// Weight-only quantized matrix products: int8 (one fp32 scale per output row) or bfloat16 weights
// packed in panels (zoo_quant.h), fp32 activations and accumulation. Each instruction set's path is compiled with a target
// attribute and picked at run time, so the build needs no -march flag.

#include "zoo_quant.h"

#include <immintrin.h>
#include <stdlib.h>
#include <string.h>

static inline float widen_int8(const void *w, long i) { return (float)((const int8_t *)w)[i]; }

static inline float widen_bf16(const void *w, long i) {
    uint32_t bits = (uint32_t)((const uint16_t *)w)[i] << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

long zoo_quant_packed_count(long rows, long cols) {
    return (rows + ZOO_QUANT_PANEL_ROWS - 1) / ZOO_QUANT_PANEL_ROWS * ZOO_QUANT_PANEL_ROWS
        * ((cols + ZOO_QUANT_CHUNK - 1) / ZOO_QUANT_CHUNK * ZOO_QUANT_CHUNK);
}

static void dequantize_scalar(int kind, const void *w, long k, const float *scale, long r0, long r1, float *dst, long ldd) {
    long chunks = (k + ZOO_QUANT_CHUNK - 1) / ZOO_QUANT_CHUNK;
    for (long r = r0; r < r1; r++) {
        float *out = dst + (r - r0) * ldd;
        long first = zoo_quant_packed_index(r, 0, k);
        for (long ch = 0; ch < chunks; ch++) {
            long at = first + ch * ZOO_QUANT_PANEL_ROWS * ZOO_QUANT_CHUNK, c0 = ch * ZOO_QUANT_CHUNK;
            long width = k - c0 < ZOO_QUANT_CHUNK ? k - c0 : ZOO_QUANT_CHUNK;
            if (kind == ZOO_QUANT_INT8) {
                const int8_t *q = (const int8_t *)w + at;
                float s = scale[r];
                for (long c = 0; c < width; c++) out[c0 + c] = s * (float)q[c];
            } else {
                const uint16_t *h = (const uint16_t *)w + at;
                for (long c = 0; c < width; c++) out[c0 + c] = widen_bf16(h, c);
            }
        }
    }
}

static void linear_scalar(int kind, long m, long n, long k, const float *x, long ldx, const void *w,
                          const float *scale, const float *bias, float *y, long ldy) {
    for (long j = 0; j < n; j++) {
        for (long i = 0; i < m; i++) {
            float sum = 0;
            for (long c = 0; c < k; c++) {
                long at = zoo_quant_packed_index(j, c, k);
                sum += (kind == ZOO_QUANT_INT8 ? widen_int8(w, at) : widen_bf16(w, at)) * x[i * ldx + c];
            }
            if (kind == ZOO_QUANT_INT8) sum *= scale[j];
            y[i * ldy + j] = bias ? bias[j] + sum : sum;
        }
    }
}

// x rows copied with zeros up to `kp` columns, so the kernels need no column tail (the padding
// weights are zero, but what lies past x's end could be anything, NaN included). NULL when k is
// already a multiple of the chunk.
static float *padded_rows(long m, long k, long kp, const float *x, long ldx) {
    if (kp == k) return NULL;
    float *p = calloc((size_t)(m * kp), sizeof(float));
    if (!p) abort();
    for (long i = 0; i < m; i++) memcpy(p + i * kp, x + i * ldx, (size_t)k * sizeof(float));
    return p;
}

// The first x row's pass over a panel asks for the weights AHEAD bytes on.
#define AHEAD 2048

// The vector paths. Every x row passes over a panel (4 weight rows) while it sits in L1: two x
// rows at a time with 8 accumulators, enough independent fused multiply-adds to hide their
// latency; a lone row takes 2W columns a step for the same reason. The lone row prefetches
// unconditionally: asked only for the first row, clang kept an accumulator on the stack and
// copied the others every step, 13 % slower on Zen 2 (BENCHMARKS.md).
//   NAME: function name; TARGET: attribute; V: vector type; W: lanes; ZERO/LOADX/FMA/HSUM: ops;
//   ET: weight element type; LOADW(p): W widened weights at p; SCALED: int8's row scales.
#define DEFINE_LINEAR(NAME, TARGET, V, W, ZERO, LOADX, FMA, HSUM, ET, LOADW, SCALED)                                  \
    __attribute__((target(TARGET))) static void NAME(long m, long n, long k, const float *x, long ldx,                \
                                                     const void *wv, const float *scale, const float *bias,          \
                                                     float *y, long ldy) {                                           \
        const ET *w = (const ET *)wv;                                                                                \
        const long chunks = (k + ZOO_QUANT_CHUNK - 1) / ZOO_QUANT_CHUNK, kp = chunks * ZOO_QUANT_CHUNK;              \
        const long step2 = kp - kp % (2 * W);                                                                        \
        float *padded = padded_rows(m, k, kp, x, ldx);                                                               \
        if (padded) { x = padded; ldx = kp; }                                                                        \
        /* The loops ask for AHEAD bytes on; the first AHEAD bytes are asked for here. */                            \
        for (long b = 0; b < AHEAD; b += 64) _mm_prefetch((const char *)w + b, _MM_HINT_T0);                         \
        for (long j = 0; j < n; j += ZOO_QUANT_PANEL_ROWS) {                                                         \
            const ET *p = w + (j / ZOO_QUANT_PANEL_ROWS) * chunks * 64;                                              \
            float s[2][4];                                                                                           \
            for (long i = 0; i < m; i += 2) {                                                                        \
                const float *xa = x + i * ldx, *xb = xa + ldx;                                                       \
                V a0 = ZERO, a1 = ZERO, a2 = ZERO, a3 = ZERO, b0 = ZERO, b1 = ZERO, b2 = ZERO, b3 = ZERO;            \
                const int two = i + 1 < m;                                                                           \
                if (two) {                                                                                           \
                    for (long c = 0; c < kp; c += W) {                                                               \
                        const ET *q = p + (c >> 4) * 64 + (c & 15);                                                  \
                        if (i == 0 && (c & 15) == 0) {                                                               \
                            for (long b = 0; b < 64 * (long)sizeof(ET); b += 64)                                     \
                                _mm_prefetch((const char *)q + AHEAD + b, _MM_HINT_T0);                              \
                        }                                                                                            \
                        V u = LOADX(xa + c), v = LOADX(xb + c), t;                                                   \
                        t = LOADW(q); a0 = FMA(t, u, a0); b0 = FMA(t, v, b0);                                        \
                        t = LOADW(q + 16); a1 = FMA(t, u, a1); b1 = FMA(t, v, b1);                                   \
                        t = LOADW(q + 32); a2 = FMA(t, u, a2); b2 = FMA(t, v, b2);                                   \
                        t = LOADW(q + 48); a3 = FMA(t, u, a3); b3 = FMA(t, v, b3);                                   \
                    }                                                                                                \
                    s[0][0] = HSUM(a0); s[0][1] = HSUM(a1); s[0][2] = HSUM(a2); s[0][3] = HSUM(a3);                  \
                    s[1][0] = HSUM(b0); s[1][1] = HSUM(b1); s[1][2] = HSUM(b2); s[1][3] = HSUM(b3);                  \
                } else {                                                                                             \
                    long c = 0;                                                                                      \
                    for (; c < step2; c += 2 * W) {                                                                  \
                        const ET *q = p + (c >> 4) * 64 + (c & 15), *r = p + ((c + W) >> 4) * 64 + ((c + W) & 15);   \
                        for (long b = 0; b < (2 * W / 16) * 64 * (long)sizeof(ET); b += 64)                         \
                            _mm_prefetch((const char *)q + AHEAD + b, _MM_HINT_T0);                                  \
                        V u = LOADX(xa + c), v = LOADX(xa + c + W);                                                  \
                        a0 = FMA(LOADW(q), u, a0); b0 = FMA(LOADW(r), v, b0);                                        \
                        a1 = FMA(LOADW(q + 16), u, a1); b1 = FMA(LOADW(r + 16), v, b1);                              \
                        a2 = FMA(LOADW(q + 32), u, a2); b2 = FMA(LOADW(r + 32), v, b2);                              \
                        a3 = FMA(LOADW(q + 48), u, a3); b3 = FMA(LOADW(r + 48), v, b3);                              \
                    }                                                                                                \
                    for (; c < kp; c += W) {                                                                         \
                        const ET *q = p + (c >> 4) * 64 + (c & 15);                                                  \
                        V u = LOADX(xa + c);                                                                         \
                        a0 = FMA(LOADW(q), u, a0); a1 = FMA(LOADW(q + 16), u, a1);                                   \
                        a2 = FMA(LOADW(q + 32), u, a2); a3 = FMA(LOADW(q + 48), u, a3);                              \
                    }                                                                                                \
                    s[0][0] = HSUM(a0) + HSUM(b0); s[0][1] = HSUM(a1) + HSUM(b1);                                    \
                    s[0][2] = HSUM(a2) + HSUM(b2); s[0][3] = HSUM(a3) + HSUM(b3);                                    \
                }                                                                                                    \
                for (int t = 0; t < 1 + two; t++) {                                                                  \
                    for (long r = 0; r < ZOO_QUANT_PANEL_ROWS && j + r < n; r++) {                                   \
                        float v = SCALED ? s[t][r] * scale[j + r] : s[t][r];                                         \
                        y[(i + t) * ldy + j + r] = bias ? bias[j + r] + v : v;                                       \
                    }                                                                                                \
                }                                                                                                    \
            }                                                                                                        \
        }                                                                                                            \
        free(padded);                                                                                                \
    }

// AVX2 + FMA: 8 lanes.
__attribute__((target("avx2,fma"))) static inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
__attribute__((target("avx2,fma"))) static inline __m256 load8_int8(const int8_t *p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
}
__attribute__((target("avx2,fma"))) static inline __m256 load8_bf16(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}
// Expands an argument list given as one macro before DEFINE_LINEAR counts its arguments.
#define DEFINE_LINEAR_WITH(...) DEFINE_LINEAR(__VA_ARGS__)

#define AVX2_ARGS "avx2,fma", __m256, 8, _mm256_setzero_ps(), _mm256_loadu_ps, _mm256_fmadd_ps, hsum8
DEFINE_LINEAR_WITH(linear_int8_avx2, AVX2_ARGS, int8_t, load8_int8, 1)
DEFINE_LINEAR_WITH(linear_bf16_avx2, AVX2_ARGS, uint16_t, load8_bf16, 0)

// AVX-512 (F + BW): 16 lanes.
__attribute__((target("avx512f,avx512bw"))) static inline float hsum16(__m512 v) { return _mm512_reduce_add_ps(v); }
__attribute__((target("avx512f,avx512bw"))) static inline __m512 load16_int8(const int8_t *p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)p)));
}
__attribute__((target("avx512f,avx512bw"))) static inline __m512 load16_bf16(const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
}
#define AVX512_ARGS "avx512f,avx512bw", __m512, 16, _mm512_setzero_ps(), _mm512_loadu_ps, _mm512_fmadd_ps, hsum16
DEFINE_LINEAR_WITH(linear_int8_avx512, AVX512_ARGS, int8_t, load16_int8, 1)
DEFINE_LINEAR_WITH(linear_bf16_avx512, AVX512_ARGS, uint16_t, load16_bf16, 0)

// Dequantizing for OpenBLAS, 16 elements (one chunk) a step; the same products as the scalar loop.
__attribute__((target("avx2,fma"))) static void dequantize_avx2(int kind, const void *w, long k, const float *scale, long r0,
                                                                long r1, float *dst, long ldd) {
    long chunks = (k + ZOO_QUANT_CHUNK - 1) / ZOO_QUANT_CHUNK, full = k / ZOO_QUANT_CHUNK;
    for (long r = r0; r < r1; r++) {
        float *out = dst + (r - r0) * ldd;
        long first = zoo_quant_packed_index(r, 0, k);
        __m256 s = _mm256_set1_ps(kind == ZOO_QUANT_INT8 ? scale[r] : 1);
        for (long ch = 0; ch < full; ch++) {
            long at = first + ch * ZOO_QUANT_PANEL_ROWS * ZOO_QUANT_CHUNK;
            float *o = out + ch * ZOO_QUANT_CHUNK;
            if (kind == ZOO_QUANT_INT8) {
                const int8_t *q = (const int8_t *)w + at;
                _mm256_storeu_ps(o, _mm256_mul_ps(s, load8_int8(q)));
                _mm256_storeu_ps(o + 8, _mm256_mul_ps(s, load8_int8(q + 8)));
            } else {
                const uint16_t *h = (const uint16_t *)w + at;
                _mm256_storeu_ps(o, load8_bf16(h));
                _mm256_storeu_ps(o + 8, load8_bf16(h + 8));
            }
        }
        if (full < chunks) {
            long at = first + full * ZOO_QUANT_PANEL_ROWS * ZOO_QUANT_CHUNK, c0 = full * ZOO_QUANT_CHUNK;
            for (long c = 0; c < k - c0; c++)
                out[c0 + c] = kind == ZOO_QUANT_INT8 ? scale[r] * widen_int8(w, at + c) : widen_bf16(w, at + c);
        }
    }
}

void zoo_quant_dequantize(int kind, const void *w, long k, const float *scale, long r0, long r1, float *dst, long ldd) {
    if (zoo_quant_best_isa() >= ZOO_ISA_AVX2) dequantize_avx2(kind, w, k, scale, r0, r1, dst, ldd);
    else dequantize_scalar(kind, w, k, scale, r0, r1, dst, ldd);
}

int zoo_quant_best_isa(void) {
    static int best = -1;
    if (best < 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) best = ZOO_ISA_AVX512;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = ZOO_ISA_AVX2;
        else best = ZOO_ISA_SCALAR;
    }
    return best;
}

void zoo_quant_linear(int kind, int isa, long m, long n, long k, const float *x, long ldx, const void *w,
                      const float *scale, const float *bias, float *y, long ldy) {
    if (isa > zoo_quant_best_isa()) isa = zoo_quant_best_isa();
    const int int8 = kind == ZOO_QUANT_INT8;
    switch (isa) {
    case ZOO_ISA_AVX512:
        (int8 ? linear_int8_avx512 : linear_bf16_avx512)(m, n, k, x, ldx, w, scale, bias, y, ldy);
        break;
    case ZOO_ISA_AVX2:
        (int8 ? linear_int8_avx2 : linear_bf16_avx2)(m, n, k, x, ldx, w, scale, bias, y, ldy);
        break;
    default:
        linear_scalar(kind, m, n, k, x, ldx, w, scale, bias, y, ldy);
    }
}
