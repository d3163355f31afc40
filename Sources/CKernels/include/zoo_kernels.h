// Element-wise kernels that need what Swift cannot express: non-temporal stores.
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

#ifdef __cplusplus
}
#endif
