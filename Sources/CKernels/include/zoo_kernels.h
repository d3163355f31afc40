// Element-wise kernels that need what Swift cannot express: non-temporal stores, and what the
// build targets.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/// One Adam (or AdamW) update of n elements, one rounding per operation (no contraction into fused
/// multiply-adds: `OptimizerTests` checks the bits against these formulas written out in Swift):
///   g' = g·gradient_scale;  decoupled: p' = p·(1 − lr·wd), else g' += wd·p
///   m = b1·m + (1 − b1)·g';  v = b2·v + (1 − b2)·g'·g'
///   p = p' − step_size·m / (√v·rc2 + eps)
/// m and v are written with non-temporal stores: they are read again only by the next step,
/// after the whole model has passed through the cache, so fetching their lines first would be waste.
void zoo_adam_update(float *p, const float *g, float *m, float *v, long n, float gradient_scale, float lr,
                     float wd, int decoupled, float b1, float b2, float step_size, float rc2, float eps);

/// The vector registers of the instruction set this code is compiled for: 32 with AVX-512, else 16.
/// Inline in the header, so each Swift module that imports it gets the answer for its own flags
/// (`-march=native`: the machine that builds it) as a constant, and can size its register tiles.
static inline int zoo_vector_registers(void) {
#if defined(__AVX512F__)
    return 32;
#else
    return 16;
#endif
}

#ifdef __cplusplus
}
#endif
