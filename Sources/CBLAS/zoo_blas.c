#define _GNU_SOURCE
#include "zoo_blas.h"
#include <dlfcn.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *,
                         int, float, float *, int);
typedef void (*sgemv_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*corename_fn)(void);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static sgemm_fn p_sgemm;
static sgemv_fn p_sgemv;
static set_threads_fn p_set_threads;
static get_threads_fn p_get_threads;
static corename_fn p_corename;
static char load_error[512];

static int cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

// AMD family 19h (Zen 3 and Zen 4): Zen 4 has AVX-512 but runs it on 256-bit units, where
// OpenBLAS's Haswell kernels measured 2-3 % faster end to end than its SkylakeX ones (BENCHMARKS.md).
static int cpu_is_amd_family_19h(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d) || b != 0x68747541 /* "Auth" */) return 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    unsigned family = (a >> 8) & 0xf;
    if (family == 0xf) family += (a >> 20) & 0xff;
    return family == 0x19;
#else
    return 0;
#endif
}

static void load(void) {
    // Only choose for the user when they have not chosen themselves. Debian's OpenBLAS 0.3.21
    // does not know Zen 4 or Zen 5 and would use its Haswell kernels for both; Zen 5's full-width
    // AVX-512 runs the SkylakeX ones faster (docs/performance-notes.md).
    if (getenv("OPENBLAS_CORETYPE") == NULL && cpu_has_avx512())
        setenv("OPENBLAS_CORETYPE", cpu_is_amd_family_19h() ? "Haswell" : "SkylakeX", 0);
    // One thread from the start (see below): otherwise OpenBLAS starts a worker per core at load,
    // which spins in sched_yield for its first tenth of a second against our own threads.
    if (getenv("OPENBLAS_NUM_THREADS") == NULL) setenv("OPENBLAS_NUM_THREADS", "1", 0);
    const char *names[] = {"libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"};
    void *h = NULL;
    for (size_t i = 0; i < sizeof names / sizeof *names && !h; i++) h = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
        snprintf(load_error, sizeof load_error, "cannot load OpenBLAS (%s); install libopenblas-dev", dlerror());
        return;
    }
    p_sgemm = (sgemm_fn)dlsym(h, "cblas_sgemm");
    p_sgemv = (sgemv_fn)dlsym(h, "cblas_sgemv");
    p_set_threads = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
    p_get_threads = (get_threads_fn)dlsym(h, "openblas_get_num_threads");
    p_corename = (corename_fn)dlsym(h, "openblas_get_corename");
    if (!p_sgemm || !p_sgemv) {
        p_sgemm = NULL;
        snprintf(load_error, sizeof load_error, "OpenBLAS has no cblas_sgemm or cblas_sgemv");
    }
    // The Swift side splits large products across cores itself (one thread pool for GEMM and
    // element-wise work); OpenBLAS's own workers would spin in sched_yield between calls and
    // compete with it on a 2-core machine.
    if (p_set_threads) p_set_threads(1);
}

static void ensure(void) {
    pthread_once(&once, load);
    if (!p_sgemm) {
        fprintf(stderr, "error: %s\n", load_error);
        exit(70);
    }
}

int zoo_blas_available(void) {
    pthread_once(&once, load);
    return p_sgemm != NULL;
}

const char *zoo_blas_error(void) {
    pthread_once(&once, load);
    return load_error;
}

void zoo_sgemm(int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
               const float *b, int ldb, float beta, float *c, int ldc) {
    ensure();
    p_sgemm(101 /* CblasRowMajor */, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void zoo_sgemv(int transA, int m, int n, float alpha, const float *a, int lda, const float *x, float beta, float *y) {
    ensure();
    p_sgemv(101, transA, m, n, alpha, a, lda, x, 1, beta, y, 1);
}

void zoo_sgemm_batched(int transA, int transB, int m, int n, int k, float alpha, const float *a,
                       int lda, long strideA, const float *b, int ldb, long strideB, float beta,
                       float *c, int ldc, long strideC, int batch) {
    ensure();
    for (int i = 0; i < batch; i++)
        p_sgemm(101, transA, transB, m, n, k, alpha, a + i * strideA, lda, b + i * strideB, ldb, beta,
                c + i * strideC, ldc);
}

void zoo_blas_set_threads(int n) {
    ensure();
    if (p_set_threads) p_set_threads(n);
}

int zoo_blas_threads(void) {
    ensure();
    return p_get_threads ? p_get_threads() : 1;
}

const char *zoo_blas_core_name(void) {
    pthread_once(&once, load);
    if (!p_sgemm) return load_error;
    return p_corename ? p_corename() : "unknown";
}
