// No contraction of a*b + c into a fused multiply-add, whatever the flags: each kernel gives the
// bits of the Swift code it replaces (two roundings), in a dependent's build as in ours.
#pragma STDC FP_CONTRACT OFF

#include "zoo_kernels.h"

#include <math.h>
#include <stdint.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

static inline void adam_one(float *p, const float *g, float *m, float *v, long j, float gs, float decay, float wd, int decoupled,
                            float b1, float b2, float step_size, float rc2, float eps) {
    float gj = g[j], pj = p[j];
    if (gs != 1) gj = gj * gs;
    if (wd != 0) {
        if (decoupled) pj = pj * decay; else gj = gj + wd * pj;
    }
    float mj = b1 * m[j] + (1 - b1) * gj;
    float vj = b2 * v[j] + (1 - b2) * gj * gj;
    m[j] = mj;
    v[j] = vj;
    p[j] = pj - step_size * mj / (sqrtf(vj) * rc2 + eps);
}

void zoo_adam_update(float *p, const float *g, float *m, float *v, long n, float gs, float lr, float wd, int decoupled,
                     float b1, float b2, float step_size, float rc2, float eps) {
    const float decay = 1 - lr * wd;
    long j = 0;
#if defined(__AVX512F__)
    // Scalar until m is 64-byte aligned (v shares its alignment when both come from the same
    // allocator in equal sizes; otherwise plain stores).
    while (j < n && ((uintptr_t)(m + j) & 63) != 0) { adam_one(p, g, m, v, j, gs, decay, wd, decoupled, b1, b2, step_size, rc2, eps); j++; }
    const int streamable = ((uintptr_t)(v + j) & 63) == 0;
    const __m512 vgs = _mm512_set1_ps(gs), vdecay = _mm512_set1_ps(decay), vwd = _mm512_set1_ps(wd);
    const __m512 vb1 = _mm512_set1_ps(b1), vb2 = _mm512_set1_ps(b2), v1b1 = _mm512_set1_ps(1 - b1), v1b2 = _mm512_set1_ps(1 - b2);
    const __m512 vstep = _mm512_set1_ps(step_size), vrc2 = _mm512_set1_ps(rc2), veps = _mm512_set1_ps(eps);
    for (; j + 16 <= n; j += 16) {
        __m512 gj = _mm512_loadu_ps(g + j), pj = _mm512_loadu_ps(p + j);
        if (gs != 1) gj = _mm512_mul_ps(gj, vgs);
        if (wd != 0) {
            if (decoupled) pj = _mm512_mul_ps(pj, vdecay); else gj = _mm512_add_ps(gj, _mm512_mul_ps(vwd, pj));
        }
        __m512 mj = _mm512_add_ps(_mm512_mul_ps(vb1, _mm512_loadu_ps(m + j)), _mm512_mul_ps(v1b1, gj));
        __m512 vj = _mm512_add_ps(_mm512_mul_ps(vb2, _mm512_loadu_ps(v + j)), _mm512_mul_ps(_mm512_mul_ps(v1b2, gj), gj));
        __m512 denom = _mm512_add_ps(_mm512_mul_ps(_mm512_sqrt_ps(vj), vrc2), veps);
        __m512 upd = _mm512_div_ps(_mm512_mul_ps(vstep, mj), denom);
        if (streamable) { _mm512_stream_ps(m + j, mj); _mm512_stream_ps(v + j, vj); }
        else { _mm512_storeu_ps(m + j, mj); _mm512_storeu_ps(v + j, vj); }
        _mm512_storeu_ps(p + j, _mm512_sub_ps(pj, upd));
    }
    _mm_sfence();
#endif
    for (; j < n; j++) adam_one(p, g, m, v, j, gs, decay, wd, decoupled, b1, b2, step_size, rc2, eps);
}
