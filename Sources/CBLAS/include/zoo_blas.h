// The BLAS entry points the project uses, resolved at run time from OpenBLAS.
//
// OpenBLAS picks its kernels when the library is loaded, from OPENBLAS_CORETYPE. Debian's 0.3.21
// does not know Zen 5 and falls back to Haswell (AVX2) kernels, ~1.8x slower than its SkylakeX
// (AVX-512) kernels there (docs/performance-notes.md); on Zen 4 the Haswell ones are the faster (zoo_blas.c).
// Setting the variable inside a process that is
// already linked against OpenBLAS has no effect, so we do not link it: the first call sets the
// variable (unless the user set it) and only then dlopen()s the library.
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { ZOO_NO_TRANS = 111, ZOO_TRANS = 112 };

/// Row-major C = alpha * op(A) * op(B) + beta * C (cblas_sgemm with CblasRowMajor).
void zoo_sgemm(int transA, int transB, int m, int n, int k, float alpha,
               const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);

/// Row-major y = alpha * op(A) * x + beta * y (cblas_sgemv with CblasRowMajor), A is m×n.
void zoo_sgemv(int transA, int m, int n, float alpha, const float *a, int lda, const float *x, float beta, float *y);

/// Row-major strided-batched GEMM: loops zoo_sgemm over `batch` matrices.
void zoo_sgemm_batched(int transA, int transB, int m, int n, int k, float alpha,
                       const float *a, int lda, long strideA, const float *b, int ldb, long strideB,
                       float beta, float *c, int ldc, long strideC, int batch);

/// Number of threads OpenBLAS uses.
void zoo_blas_set_threads(int n);
int zoo_blas_threads(void);

/// The kernel family OpenBLAS chose (e.g. "SkylakeX"), or an error message if loading failed.
const char *zoo_blas_core_name(void);

/// 1 if the library loaded, 0 otherwise (then zoo_blas_error() says why).
int zoo_blas_available(void);
const char *zoo_blas_error(void);

#ifdef __cplusplus
}
#endif
