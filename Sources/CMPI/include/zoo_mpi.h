// Open MPI, resolved at run time: the zoo builds and runs where MPI is absent, and only a process
// started by mpirun loads it. The calls below are the few that data-parallel training needs.
#pragma once
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Loads Open MPI's library (ZOO_MPI_LIBRARY, else libmpi.so.40, else libmpi.so) and resolves its
/// calls. Returns 0, or -1 with a one-line reason in `error`.
int zoo_mpi_load(char *error, size_t length);

/// MPI_Init_thread (serialized), then this process's rank and the world's size. 0 on success.
int zoo_mpi_init(int *rank, int *size, char *error, size_t length);
int zoo_mpi_finalize(void);
/// MPI_Abort on the world: every process of the job ends.
void zoo_mpi_abort(int code);

/// In-place sums over all ranks.
int zoo_mpi_allreduce_float(float *buffer, long count);
int zoo_mpi_allreduce_double(double *buffer, long count);
/// Rank `root`'s bytes to every rank.
int zoo_mpi_broadcast(void *buffer, long count, int root);

/// A non-blocking in-place float sum of at most INT_MAX elements; `request` receives its handle.
int zoo_mpi_start_allreduce_float(float *buffer, int count, void **request);
/// Whether the request has finished (1) or not (0); drives MPI's progress. Negative on error.
int zoo_mpi_test(void **request);
int zoo_mpi_wait(void **request);

/// On SIGTERM (mpirun ending the job when another rank has failed), writes `text` to stderr and
/// exits 143. Safe to call again to change the text while the handler is installed.
void zoo_mpi_on_termination(const char *text);

/// MPI's text for an error code.
void zoo_mpi_error_string(int code, char *text, size_t length);

#ifdef __cplusplus
}
#endif
