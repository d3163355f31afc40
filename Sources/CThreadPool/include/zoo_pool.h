// A fork-join pool for the numeric kernels: one worker per extra core that spins briefly between
// jobs before sleeping.
//
// Training runs hundreds of parallel regions per step (every split GEMM, every element-wise
// kernel), many only tens of microseconds long. Dispatch's concurrentPerform wakes its worker
// through the kernel on every call, which costs 35-85 us on this VM, as much as a small region's
// work; a worker that is already spinning starts within a microsecond (BENCHMARKS.md).
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/// Calls fn(ctx, i) for every i in [0, n), on the calling thread and the pool's workers; returns
/// when all calls have returned. Items are claimed one at a time, so each must write its own
/// outputs. A call from inside an item, or while another thread's job holds the pool, runs its
/// items on the calling thread alone.
void zoo_parallel_for(long n, void *ctx, void (*fn)(void *ctx, long i));

/// The number of threads a job can use (the pool's workers and the caller).
int zoo_pool_threads(void);

#ifdef __cplusplus
}
#endif
