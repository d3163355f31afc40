#define _GNU_SOURCE
#include "zoo_mpi.h"
#include <dlfcn.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Open MPI's ABI (stable across its releases 1.x to 5.x): handles are pointers, the predefined
// ones are the addresses of exported globals, MPI_IN_PLACE is (void *)1, a null status pointer
// ignores the status. No header is needed at build time.
typedef void *Handle;
enum { THREAD_SERIALIZED = 2, MAX_ERROR_STRING = 256 };
#define IN_PLACE ((void *)1)

static int (*p_init_thread)(int *, char ***, int, int *);
static int (*p_initialized)(int *);
static int (*p_finalize)(void);
static int (*p_abort)(Handle, int);
static int (*p_comm_rank)(Handle, int *);
static int (*p_comm_size)(Handle, int *);
static int (*p_allreduce)(const void *, void *, int, Handle, Handle, Handle);
static int (*p_iallreduce)(const void *, void *, int, Handle, Handle, Handle, Handle *);
static int (*p_bcast)(void *, int, Handle, int, Handle);
static int (*p_test)(Handle *, int *, void *);
static int (*p_wait)(Handle *, void *);
static int (*p_error_string)(int, char *, int *);
static Handle world, mpi_float, mpi_double, mpi_byte, op_sum;

int zoo_mpi_load(char *error, size_t length) {
    if (p_init_thread) return 0;
    // ZOO_MPI_LIBRARY, when set, is the only library tried.
    const char *chosen = getenv("ZOO_MPI_LIBRARY");
    const char *names[] = {"libmpi.so.40", "libmpi.so"};
    void *h = NULL;
    // RTLD_GLOBAL: Open MPI's components, loaded later by libmpi itself, resolve symbols from it.
    if (chosen && *chosen) h = dlopen(chosen, RTLD_NOW | RTLD_GLOBAL);
    else
        for (size_t i = 0; i < sizeof names / sizeof *names && !h; i++) h = dlopen(names[i], RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
        snprintf(error, length, "cannot load Open MPI (%s); install libopenmpi3 (Debian: apt-get install openmpi-bin)", dlerror());
        return -1;
    }
#define RESOLVE(var, name) *(void **)&var = dlsym(h, name)
    RESOLVE(p_init_thread, "MPI_Init_thread");
    RESOLVE(p_initialized, "MPI_Initialized");
    RESOLVE(p_finalize, "MPI_Finalize");
    RESOLVE(p_abort, "MPI_Abort");
    RESOLVE(p_comm_rank, "MPI_Comm_rank");
    RESOLVE(p_comm_size, "MPI_Comm_size");
    RESOLVE(p_allreduce, "MPI_Allreduce");
    RESOLVE(p_iallreduce, "MPI_Iallreduce");
    RESOLVE(p_bcast, "MPI_Bcast");
    RESOLVE(p_test, "MPI_Test");
    RESOLVE(p_wait, "MPI_Wait");
    RESOLVE(p_error_string, "MPI_Error_string");
#undef RESOLVE
    world = dlsym(h, "ompi_mpi_comm_world");
    mpi_float = dlsym(h, "ompi_mpi_float");
    mpi_double = dlsym(h, "ompi_mpi_double");
    mpi_byte = dlsym(h, "ompi_mpi_byte");
    op_sum = dlsym(h, "ompi_mpi_op_sum");
    if (!p_init_thread || !p_initialized || !p_finalize || !p_abort || !p_comm_rank || !p_comm_size ||
        !p_allreduce || !p_iallreduce || !p_bcast || !p_test || !p_wait || !p_error_string || !world || !mpi_float ||
        !mpi_double || !mpi_byte || !op_sum) {
        p_init_thread = NULL;
        snprintf(error, length, "the MPI library loaded is not Open MPI (MPI-3 calls or Open MPI's handles are missing)");
        return -1;
    }
    return 0;
}

void zoo_mpi_error_string(int code, char *text, size_t length) {
    char buffer[MAX_ERROR_STRING + 1];
    int n = 0;
    if (p_error_string && p_error_string(code, buffer, &n) == 0) {
        buffer[n < MAX_ERROR_STRING ? n : MAX_ERROR_STRING] = 0;
        snprintf(text, length, "%s", buffer);
    } else {
        snprintf(text, length, "MPI error %d", code);
    }
}

int zoo_mpi_init(int *rank, int *size, char *error, size_t length) {
    int provided = 0, code = p_init_thread(NULL, NULL, THREAD_SERIALIZED, &provided);
    if (code == 0) code = p_comm_rank(world, rank);
    if (code == 0) code = p_comm_size(world, size);
    if (code != 0) {
        char text[MAX_ERROR_STRING];
        zoo_mpi_error_string(code, text, sizeof text);
        snprintf(error, length, "MPI_Init_thread failed: %s", text);
        return code;
    }
    return 0;
}

int zoo_mpi_finalize(void) {
    int done = 0;
    if (!p_initialized || p_initialized(&done) != 0 || !done) return 0;
    return p_finalize();
}

void zoo_mpi_abort(int code) {
    if (p_abort) p_abort(world, code);
    exit(code);
}

// Counts are C ints in MPI: longer buffers go in pieces.
static const long PIECE = INT_MAX / 2;

static int allreduce(char *buffer, long count, size_t size, Handle type) {
    for (long at = 0; at < count; at += PIECE) {
        long n = count - at < PIECE ? count - at : PIECE;
        int code = p_allreduce(IN_PLACE, buffer + at * size, (int)n, type, op_sum, world);
        if (code != 0) return code;
    }
    return 0;
}

int zoo_mpi_allreduce_float(float *buffer, long count) { return allreduce((char *)buffer, count, sizeof *buffer, mpi_float); }

int zoo_mpi_allreduce_double(double *buffer, long count) { return allreduce((char *)buffer, count, sizeof *buffer, mpi_double); }

int zoo_mpi_broadcast(void *buffer, long count, int root) {
    for (long at = 0; at < count; at += PIECE) {
        long n = count - at < PIECE ? count - at : PIECE;
        int code = p_bcast((char *)buffer + at, (int)n, mpi_byte, root, world);
        if (code != 0) return code;
    }
    return 0;
}

int zoo_mpi_start_allreduce_float(float *buffer, int count, void **request) {
    return p_iallreduce(IN_PLACE, buffer, count, mpi_float, op_sum, world, (Handle *)request);
}

int zoo_mpi_test(void **request) {
    int done = 0, code = p_test((Handle *)request, &done, NULL);
    return code != 0 ? -code : done;
}

int zoo_mpi_wait(void **request) { return p_wait((Handle *)request, NULL); }

static char termination_text[2048];
static volatile sig_atomic_t termination_length;

static void on_termination(int signal) {
    if (termination_length > 0) {
        ssize_t ignored = write(2, termination_text, (size_t)termination_length);
        (void)ignored;
    }
    _exit(128 + signal);
}

void zoo_mpi_on_termination(const char *text) {
    static int installed;
    termination_length = 0;
    size_t n = strlen(text);
    if (n > sizeof termination_text) n = sizeof termination_text;
    memcpy(termination_text, text, n);
    termination_length = (sig_atomic_t)n;
    if (!installed) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = on_termination;
        sigemptyset(&action.sa_mask);
        sigaction(SIGTERM, &action, NULL);
        installed = 1;
    }
}
