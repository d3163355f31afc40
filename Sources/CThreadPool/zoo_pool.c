#define _GNU_SOURCE
#include "zoo_pool.h"
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

// The job word: bits 0-15 count the workers inside the current job, bit 16 closes it to late
// joiners, and the bits above number the jobs. A worker joins by incrementing the count with a
// compare-and-swap that fails once the job is closed or replaced, so the submitter never waits
// for a worker that has not started, and never rewrites the job while a worker reads it.
#define ACTIVE_MASK ((uint64_t)0xFFFF)
#define CLOSED ((uint64_t)1 << 16)
#define GENERATION_SHIFT 17

enum { MAX_WORKERS = 255 };
// How long an idle worker spins before it sleeps: longer than the serial gaps between the
// kernels of a training step, short enough not to hold a core once the work has stopped.
static const long SPIN_NANOSECONDS = 2000000;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int workers;
static _Atomic uint64_t state;
static _Atomic int busy;        // a job holds the pool
static _Atomic int sleepers;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static void (*job_fn)(void *, long);
static void *job_ctx;
static long job_n;
static _Atomic long next_item;
static _Thread_local int inside_job;

static long nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static void run_items(void) {
    long i;
    while ((i = atomic_fetch_add_explicit(&next_item, 1, memory_order_relaxed)) < job_n) job_fn(job_ctx, i);
}

static uint64_t generation(uint64_t s) { return s >> GENERATION_SHIFT; }

// Waits until the job number differs from `seen`: spinning first, then asleep.
static uint64_t wait_for_job(uint64_t seen) {
    long start = nanoseconds();
    for (long spins = 1;; spins++) {
        uint64_t s = atomic_load_explicit(&state, memory_order_acquire);
        if (generation(s) != seen) return s;
        CPU_RELAX();
        if ((spins & 1023) == 0 && nanoseconds() - start > SPIN_NANOSECONDS) break;
    }
    pthread_mutex_lock(&sleep_lock);
    atomic_fetch_add(&sleepers, 1);
    uint64_t s;
    while (generation(s = atomic_load(&state)) == seen) pthread_cond_wait(&wake, &sleep_lock);
    atomic_fetch_sub(&sleepers, 1);
    pthread_mutex_unlock(&sleep_lock);
    return s;
}

static void *worker_main(void *unused) {
    (void)unused;
    inside_job = 1;  // a worker's items never start nested jobs
    uint64_t seen = 0;
    for (;;) {
        uint64_t s = wait_for_job(seen);
        seen = generation(s);
        // Join unless the job is already closed; a failed swap re-reads the word.
        while (generation(s) == seen && !(s & CLOSED)) {
            if (atomic_compare_exchange_weak_explicit(&state, &s, s + 1, memory_order_acquire, memory_order_relaxed)) {
                run_items();
                atomic_fetch_sub_explicit(&state, 1, memory_order_release);
                break;
            }
        }
    }
    return 0;
}

// The threads a process runs on: ZOO_THREADS when set, else OMP_NUM_THREADS (as a cluster's job
// scripts set it), else the cores it may run on (its affinity mask), so that `mpirun --bind-to
// core` or `taskset` gives each process only its own cores.
static long cores_given(void) {
    const char *names[] = {"ZOO_THREADS", "OMP_NUM_THREADS"};
    for (int i = 0; i < 2; i++) {
        const char *env = getenv(names[i]);
        long n = env && *env ? strtol(env, NULL, 10) : 0;
        if (n >= 1) return n;
    }
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
#endif
    return sysconf(_SC_NPROCESSORS_ONLN);
}

static void start(void) {
    long cores = cores_given();
    long n = cores > 1 ? cores - 1 : 0;
    if (n > MAX_WORKERS) n = MAX_WORKERS;
    for (long i = 0; i < n; i++) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, worker_main, 0) == 0) workers++;
        pthread_attr_destroy(&attr);
    }
}

int zoo_pool_threads(void) {
    pthread_once(&once, start);
    return workers + 1;
}

static void run_inline(long n, void *ctx, void (*fn)(void *, long)) {
    for (long i = 0; i < n; i++) fn(ctx, i);
}

void zoo_parallel_for(long n, void *ctx, void (*fn)(void *ctx, long i)) {
    pthread_once(&once, start);
    int expected = 0;
    if (n <= 1 || workers == 0 || inside_job ||
        !atomic_compare_exchange_strong_explicit(&busy, &expected, 1, memory_order_acquire, memory_order_relaxed)) {
        int was_inside = inside_job;
        inside_job = 1;
        run_inline(n, ctx, fn);
        inside_job = was_inside;
        return;
    }
    inside_job = 1;
    job_fn = fn;
    job_ctx = ctx;
    job_n = n;
    atomic_store_explicit(&next_item, 0, memory_order_relaxed);
    uint64_t next = (generation(atomic_load(&state)) + 1) << GENERATION_SHIFT;
    atomic_store(&state, next);  // sequentially consistent: ordered before reading `sleepers`
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    run_items();
    // Close the job to late joiners, then wait for the workers inside it.
    uint64_t s = atomic_fetch_or_explicit(&state, CLOSED, memory_order_acq_rel) | CLOSED;
    while (s & ACTIVE_MASK) {
        CPU_RELAX();
        s = atomic_load_explicit(&state, memory_order_acquire);
    }
    inside_job = 0;
    atomic_store_explicit(&busy, 0, memory_order_release);
}
