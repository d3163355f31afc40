// No contraction of a*b + c into a fused multiply-add, whatever the flags: each kernel gives the
// bits of the Swift code it replaces (two roundings), in a dependent's build as in ours.
#pragma STDC FP_CONTRACT OFF

#include "zoo_kernels.h"

#include <math.h>
#include <stdint.h>
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

// One vector of the widest kind the build targets: the Adam loop below is written once for both.
#if defined(__AVX512F__)
#define LANES 16
typedef __m512 vfloat;
#define vset1 _mm512_set1_ps
#define vloadu _mm512_loadu_ps
#define vstoreu _mm512_storeu_ps
#define vstream _mm512_stream_ps
#define vadd _mm512_add_ps
#define vsub _mm512_sub_ps
#define vmul _mm512_mul_ps
#define vdiv _mm512_div_ps
#define vsqrt _mm512_sqrt_ps
#elif defined(__AVX2__)
#define LANES 8
typedef __m256 vfloat;
#define vset1 _mm256_set1_ps
#define vloadu _mm256_loadu_ps
#define vstoreu _mm256_storeu_ps
#define vstream _mm256_stream_ps
#define vadd _mm256_add_ps
#define vsub _mm256_sub_ps
#define vmul _mm256_mul_ps
#define vdiv _mm256_div_ps
#define vsqrt _mm256_sqrt_ps
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
#if defined(LANES)
    // Scalar until m is aligned to a vector (v shares its alignment when both come from the same
    // allocator in equal sizes; otherwise plain stores).
    const uintptr_t align = LANES * sizeof(float) - 1;
    while (j < n && ((uintptr_t)(m + j) & align) != 0) { adam_one(p, g, m, v, j, gs, decay, wd, decoupled, b1, b2, step_size, rc2, eps); j++; }
    const int streamable = ((uintptr_t)(v + j) & align) == 0;
    const vfloat vgs = vset1(gs), vdecay = vset1(decay), vwd = vset1(wd);
    const vfloat vb1 = vset1(b1), vb2 = vset1(b2), v1b1 = vset1(1 - b1), v1b2 = vset1(1 - b2);
    const vfloat vstep = vset1(step_size), vrc2 = vset1(rc2), veps = vset1(eps);
    for (; j + LANES <= n; j += LANES) {
        vfloat gj = vloadu(g + j), pj = vloadu(p + j);
        if (gs != 1) gj = vmul(gj, vgs);
        if (wd != 0) {
            if (decoupled) pj = vmul(pj, vdecay); else gj = vadd(gj, vmul(vwd, pj));
        }
        vfloat mj = vadd(vmul(vb1, vloadu(m + j)), vmul(v1b1, gj));
        vfloat vj = vadd(vmul(vb2, vloadu(v + j)), vmul(vmul(v1b2, gj), gj));
        vfloat denom = vadd(vmul(vsqrt(vj), vrc2), veps);
        vfloat upd = vdiv(vmul(vstep, mj), denom);
        if (streamable) { vstream(m + j, mj); vstream(v + j, vj); }
        else { vstoreu(m + j, mj); vstoreu(v + j, vj); }
        vstoreu(p + j, vsub(pj, upd));
    }
    _mm_sfence();
#endif
    for (; j < n; j++) adam_one(p, g, m, v, j, gs, decay, wd, decoupled, b1, b2, step_size, rc2, eps);
}
