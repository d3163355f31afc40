// Matrix products that read 8-bit or bfloat16 weights and widen them in registers: at batch 1 a
// layer's cost is reading its weights from memory, so reading a quarter (int8) or half (bf16) of
// the fp32 bytes is what makes generation faster.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The weights' element type.
enum zoo_quant_kind { ZOO_QUANT_INT8 = 0, ZOO_QUANT_BF16 = 1 };

/// The instruction sets the kernels have paths for (widest first); `zoo_quant_best_isa` is the
/// widest this CPU runs, chosen at run time so one binary serves Zen 2 (AVX2) and Zen 4/5 (AVX-512).
enum zoo_quant_isa { ZOO_ISA_SCALAR = 0, ZOO_ISA_AVX2 = 1, ZOO_ISA_AVX512 = 2 };
int zoo_quant_best_isa(void);

/// Weights are packed in panels of 4 rows: the panel's columns in chunks of 16, each chunk the 4
/// rows' 16 elements one after the other (64 elements). A panel is then one sequential stream,
/// which the hardware prefetcher follows at full speed (four separate row streams it does not).
/// Rows are padded to a multiple of 4 and columns to a multiple of 16 with zeros.
enum { ZOO_QUANT_PANEL_ROWS = 4, ZOO_QUANT_CHUNK = 16 };

/// Elements a packed [rows, cols] matrix takes, padding included.
long zoo_quant_packed_count(long rows, long cols);

/// The offset of element (r, c) in a packed matrix of `cols` columns.
static inline long zoo_quant_packed_index(long r, long c, long cols) {
    long chunks = (cols + ZOO_QUANT_CHUNK - 1) / ZOO_QUANT_CHUNK;
    return ((r / ZOO_QUANT_PANEL_ROWS) * chunks + c / ZOO_QUANT_CHUNK) * (ZOO_QUANT_PANEL_ROWS * ZOO_QUANT_CHUNK)
        + (r % ZOO_QUANT_PANEL_ROWS) * ZOO_QUANT_CHUNK + c % ZOO_QUANT_CHUNK;
}

/// y[i, j] = bias[j] + scale[j] · Σ_c w[j, c] · x[i, c]  for i < m, j < n, c < k, with
/// x [m, ldx] fp32, w the packed matrix from its panel holding row 0 (int8, or bf16 bits as
/// uint16; k columns), scale [n] (int8 only; ignored for bf16) and bias [n] or NULL; y [m, ldy].
/// The weights are read once per call whatever m is (a panel stays in L1 while every x row passes
/// over it). `isa` above `zoo_quant_best_isa()` falls back to the best one.
void zoo_quant_linear(int kind, int isa, long m, long n, long k, const float *x, long ldx, const void *w,
                      const float *scale, const float *bias, float *y, long ldy);

/// Rows [r0, r1) of the packed matrix `w` (k columns) as fp32, row r - r0 at dst + (r - r0) · ldd:
/// scale[r] · w[r, c] for int8 (`scale` is ignored for bf16). What a product too large for
/// `zoo_quant_linear` and a row lookup read instead of a kept fp32 copy.
void zoo_quant_dequantize(int kind, const void *w, long k, const float *scale, long r0, long r1, float *dst, long ldd);

#ifdef __cplusplus
}
#endif
