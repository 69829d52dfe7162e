// Vector operations Swift's SIMD types do not compile to vector instructions.
// Clang's ext_vector_type of eight doubles is imported as SIMD8<Double>, and
// these inline functions are inlined into the Swift code that calls them.
#ifndef KLS_CVECTORMATH_H
#define KLS_CVECTORMATH_H

#include "ExpTable.h"
#include "LogTable.h"
#include <math.h>
#include <stdint.h>

#ifdef __AVX512F__
#include <immintrin.h>
#endif

// The eight-lane vectors pass by value between these inline functions and the
// Swift that inlines them. Built without AVX-512 (the portable configuration,
// KLS_TUNE_CPU unset), clang warns that such arguments' ABI differs from an
// AVX-512 build's; nothing built one way ever calls code built the other.
#pragma clang diagnostic ignored "-Wpsabi"

typedef double kls_double8 __attribute__((ext_vector_type(8)));

/// The correctly rounded square root of each lane (one vsqrtpd per register),
/// the same doubles as `Double.squareRoot()`, which Swift's
/// `SIMD8<Double>.squareRoot()` computes lane by lane with a branch each.
static inline __attribute__((always_inline)) kls_double8 kls_sqrt8(kls_double8 x) {
    return __builtin_elementwise_sqrt(x);
}

typedef long kls_long8 __attribute__((ext_vector_type(8)));

/// `mask ? a : b` lane by lane, for a mask from a vector comparison (all bits
/// set or clear): a blend, one instruction.
static inline __attribute__((always_inline)) kls_double8 kls_select8(kls_long8 mask, kls_double8 a, kls_double8 b) {
    return (kls_double8)(((kls_long8)a & mask) | ((kls_long8)b & ~mask));
}

/// e^x for |x| ≤ 708: n = round(16x/ln 2) = 16k + j, r = x − n·ln2/16 (ln 2/16
/// in two parts, so n times the first is exact; |r| ≤ ln 2/32), e^r − 1 =
/// r + r²/2 + … + r⁷/7! (the next term is below 2⁻⁵⁹ of the sum), then
/// 2^(j/16) · e^r = T + (T·(e^r − 1) + T′) with 2^(j/16) = T + T′ from
/// `ExpTable.h` (one rounding: within about half an ulp), times 2^k. With
/// AVX-512 one permute looks T up for all eight lanes; elsewhere eight loads
/// give the same numbers.
static inline __attribute__((always_inline)) kls_double8 kls_exp8_core(kls_double8 x) {
    const kls_double8 shift = 0x1.8p52;
    // Adding 1.5·2⁵² rounds 16x/ln 2 to the integer n, held in the low bits.
    kls_double8 shifted = __builtin_elementwise_fma(x, (kls_double8)23.083120654223414, shift);
    kls_double8 n = shifted - shift;
    kls_double8 r = __builtin_elementwise_fma(n, (kls_double8)-0.04332169877307024, x);
    r = __builtin_elementwise_fma(n, (kls_double8)-1.1926343307941173e-11, r);
    kls_long8 bits = (kls_long8)shifted - (kls_long8)0x4338000000000000L;
    kls_long8 j = bits & 15, k = bits >> 4;
    kls_double8 table, rest;
#ifdef __AVX512F__
    __m512d low = _mm512_load_pd(kls_exp_table), high = _mm512_load_pd(kls_exp_table + 8);
    table = (kls_double8)_mm512_permutex2var_pd(low, (__m512i)j, high);
    low = _mm512_load_pd(kls_exp_rest), high = _mm512_load_pd(kls_exp_rest + 8);
    rest = (kls_double8)_mm512_permutex2var_pd(low, (__m512i)j, high);
#else
    for (int lane = 0; lane < 8; lane++) {
        table[lane] = kls_exp_table[j[lane]];
        rest[lane] = kls_exp_rest[j[lane]];
    }
#endif
    static const double coefficients[5] = {1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5};
    kls_double8 p = 1.0 / 5040;
    for (int i = 0; i < 5; i++) p = __builtin_elementwise_fma(p, r, (kls_double8)coefficients[i]);
    kls_double8 em1 = __builtin_elementwise_fma(r * r, p, r);
    kls_double8 scale = (kls_double8)((k + 1023) << 52);
    return (__builtin_elementwise_fma(table, em1, rest) + table) * scale;
}

/// tanh x for lanes that are not NaN (the caller sends NaN through libm).
/// Below 0.625, Cephes's minimax rational x + x³·P(x²)/Q(x²); above,
/// 1 − 2/(e^2x + 1), with |x| clamped at 20 (tanh 20 rounds to 1). Both are
/// base + numerator/denominator, so one division serves both: the branches
/// choose the three. The sign is put back last.
static inline __attribute__((always_inline)) kls_double8 kls_tanh8(kls_double8 x) {
    const kls_long8 sign = (kls_long8)(long)0x8000000000000000UL;
    kls_double8 m = __builtin_elementwise_min(__builtin_elementwise_abs(x), (kls_double8)20);
    kls_double8 s = m * m;
    kls_double8 p = __builtin_elementwise_fma(s, (kls_double8)-9.64399179425052238628e-1,
                                              (kls_double8)-9.92877231001918586564e1);
    p = __builtin_elementwise_fma(s, p, (kls_double8)-1.61468768441708447952e3);
    kls_double8 q = __builtin_elementwise_fma(
        s, __builtin_elementwise_fma(s, s + 1.12811678491632931402e2, (kls_double8)2.23548839060100448583e3),
        (kls_double8)4.84406305325125486048e3);
    kls_double8 e = kls_exp8_core(m + m);
    kls_long8 large = m >= 0.625;
    kls_double8 base = kls_select8(large, (kls_double8)1, m);
    kls_double8 numerator = kls_select8(large, (kls_double8)-2, m * s * p);
    kls_double8 denominator = kls_select8(large, e + 1, q);
    kls_double8 result = base + numerator / denominator;
    return (kls_double8)((kls_long8)result | ((kls_long8)x & sign));
}

/// Asks for the cache line at `address` ahead of its use (a hint; no fault).
static inline __attribute__((always_inline)) void kls_prefetch(const void *_Nonnull address) {
    __builtin_prefetch(address, 1, 3);
}

typedef unsigned long long kls_ulong8 __attribute__((ext_vector_type(8)));

/// base[index[lane]] for each lane: one gather instruction with AVX-512, else
/// lane by lane (Swift builds such a vector from eight scalar loads and inserts).
static inline __attribute__((always_inline)) kls_double8 kls_gather8(const double *_Nonnull base, kls_ulong8 index) {
#ifdef __AVX512F__
    return (kls_double8)_mm512_i64gather_pd((__m512i)index, base, 8);
#else
    kls_double8 result;
    for (int lane = 0; lane < 8; lane++) result[lane] = base[index[lane]];
    return result;
#endif
}

/// Philox-4×32-10 for the eight counters (first + lane, stream, attempt) under
/// the key (key0, key1) (`Philox.words8`): each block's four 32-bit results as
/// two 64-bit words, the first word of each lane returned and the second stored
/// to `second`. The 32-bit state is kept in 64-bit lanes, so each 32×32 → 64
/// product is one `vpmuludq`; the round keys are computed once per call.
static inline __attribute__((always_inline)) kls_ulong8 kls_philox8(
    unsigned long long first, unsigned stream, unsigned attempt, unsigned key0, unsigned key1,
    unsigned long long *_Nonnull second) {
    const kls_ulong8 mask = 0xFFFFFFFFULL;
    kls_ulong8 index = (kls_ulong8){0, 1, 2, 3, 4, 5, 6, 7} + first;
    kls_ulong8 x0 = index & mask, x1 = index >> 32;
    kls_ulong8 x2 = (kls_ulong8)(unsigned long long)stream, x3 = (kls_ulong8)(unsigned long long)attempt;
    for (unsigned round = 0; round < 10; round++) {
        unsigned long long k0 = (unsigned)(key0 + round * 0x9E3779B9U);
        unsigned long long k1 = (unsigned)(key1 + round * 0xBB67AE85U);
        kls_ulong8 p0 = (x0 & mask) * 0xD2511F53ULL;
        kls_ulong8 p1 = (x2 & mask) * 0xCD9E8D57ULL;
        kls_ulong8 y0 = (p1 >> 32) ^ x1 ^ k0;
        kls_ulong8 y2 = (p0 >> 32) ^ x3 ^ k1;
        x0 = y0;
        x1 = p1;
        x2 = y2;
        x3 = p0;
    }
    kls_ulong8 high = (x2 & mask) | (x3 << 32);
    __builtin_memcpy(second, &high, sizeof high);
    return (x0 & mask) | (x1 << 32);
}

/// The ziggurat's rectangle test on eight candidate words (`NormalSampler.rectangle`):
/// layer = the low 10 bits, sign = bit 10, u = the top 53 bits · 2⁻⁵³; the value
/// ±u·xᵢ, accepted (all ones in `accepted`) where u·xᵢ < xᵢ₊₁. `pairs` holds
/// (xᵢ, xᵢ₊₁) side by side, so one 16-byte load per lane fetches both edges.
static inline __attribute__((always_inline)) kls_double8 kls_rectangle8(
    kls_ulong8 words, const double *_Nonnull pairs, long long *_Nonnull accepted) {
    kls_ulong8 layer = words & 0x3FF;
    kls_double8 width, next;
    for (int lane = 0; lane < 8; lane++) {
        width[lane] = pairs[2 * layer[lane]];
        next[lane] = pairs[2 * layer[lane] + 1];
    }
    kls_double8 magnitude = __builtin_convertvector(words >> 11, kls_double8) * 0x1p-53 * width;
    kls_long8 inside = magnitude < next;
    __builtin_memcpy(accepted, &inside, sizeof inside);
    return (kls_double8)((kls_ulong8)magnitude | ((words & 0x400) << 53));
}

/// log x for positive normal finite lanes (the caller sends the rest through
/// libm), the arithmetic `VectorMath.log` documents: x = 2ᵏ·z with z in
/// [0.6875, 1.375) from integer operations on the bits, log z = log c +
/// log1p(z/c − 1) from the table's (1/c, log c), k·ln2 + log c + r summed with
/// their rounding error kept, and log1p(r) − r = r²·p(r) to r⁷.
static inline __attribute__((always_inline)) kls_double8 kls_log8_core(kls_double8 x) {
    kls_ulong8 bits = (kls_ulong8)x;
    kls_ulong8 offset = bits - 0x3FE6000000000000UL;
    kls_ulong8 index = (offset >> 45) & 127;
    kls_double8 z = (kls_double8)(bits - (offset & 0xFFF0000000000000UL));
    // int → double: k + 1024 planted in the mantissa of 1.5·2⁵².
    kls_ulong8 biased = (offset + (1024UL << 52)) >> 52;
    kls_double8 k = (kls_double8)(biased + 0x4338000000000000UL) - (0x1.8p52 + 1024);
    const double *pairs = kls_log_pairs();
    kls_double8 inverse = kls_gather8(pairs, index + index);
    kls_double8 logC = kls_gather8(pairs + 1, index + index);
    kls_double8 r = __builtin_elementwise_fma(z, inverse, (kls_double8)-1);
    kls_double8 w = __builtin_elementwise_fma(k, (kls_double8)6.93147180369123816490e-01, logC);
    kls_double8 high = w + r;
    kls_double8 low = __builtin_elementwise_fma(k, (kls_double8)1.90821492927058770002e-10, w - high + r);
    static const double coefficients[7] = {-1.0 / 8, 1.0 / 7, -1.0 / 6, 1.0 / 5, -1.0 / 4, 1.0 / 3, -0.5};
    kls_double8 p = 1.0 / 9;
    for (int i = 0; i < 7; i++) p = __builtin_elementwise_fma(p, r, (kls_double8)coefficients[i]);
    return __builtin_elementwise_fma(r * r, p, low) + high;
}

/// e^x on eight lanes (`VectorMath.exp`): the kernel where every lane is within
/// ±708, else libm's exp lane by lane, so every edge case keeps libm's answer.
static inline __attribute__((always_inline)) kls_double8 kls_exp8(kls_double8 x) {
    if (__builtin_reduce_and((kls_long8)(x <= 708) & (kls_long8)(x >= -708)) != 0) return kls_exp8_core(x);
    kls_double8 result;
    for (int lane = 0; lane < 8; lane++) result[lane] = exp(x[lane]);
    return result;
}

/// What `kls_ratio_blocks` gives back.
typedef struct {
    double sum[8], squares[8];
    long found;
} kls_ratio_sums;

/// The vector part of a Monte Carlo chunk's ratio statistics (`RatioPart`):
/// over the first `8·blocks` log-ratios ℓ, sums d = e^−ℓ − `shift` and d² lane
/// by lane, and copies every ℓ below `threshold` to `below`, in order (`found`
/// of them). In C because Swift kept the accumulators and exp's result in
/// memory across exp's fallback branch.
static inline __attribute__((always_inline)) kls_ratio_sums kls_ratio_blocks(
    const double *_Nonnull l, long blocks, double shift, double threshold, double *_Nonnull below) {
#pragma clang fp contract(off)
    kls_double8 sum = 0, squares = 0;
    long found = 0;
    for (long b = 0; b < blocks; b++) {
        kls_double8 v;
        __builtin_memcpy(&v, l + 8 * b, sizeof v);
        kls_double8 d = kls_exp8(-v) - shift;
        sum += d;
        squares += d * d;
        if (__builtin_reduce_or((kls_long8)(v < threshold)) != 0) {
            for (int lane = 0; lane < 8; lane++) {
                if (v[lane] < threshold) below[found++] = v[lane];
            }
        }
    }
    kls_ratio_sums result;
    __builtin_memcpy(result.sum, &sum, sizeof sum);
    __builtin_memcpy(result.squares, &squares, sizeof squares);
    result.found = found;
    return result;
}

/// k3's terms e^−ℓ − 1 + ℓ of `8·blocks` log-ratios, each at least 0 (NaN
/// gives 0); below |ℓ| = 0.1, where that cancels, the series ℓ²(½ − ℓ(⅙ − …))
/// to ℓ⁸. The arithmetic of `Estimator.term`, step for step, without fused
/// multiply-adds; in C for the same reason as `kls_ratio_blocks`.
static inline __attribute__((always_inline)) void kls_k3_blocks(
    const double *_Nonnull l, long blocks, double *_Nonnull out) {
#pragma clang fp contract(off)
    static const double coefficients[6] = {1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5};
    for (long b = 0; b < blocks; b++) {
        kls_double8 v;
        __builtin_memcpy(&v, l + 8 * b, sizeof v);
        kls_double8 direct = kls_exp8(-v) - 1 + v;
        kls_double8 p = 1.0 / 40320;
        for (int i = 0; i < 6; i++) p = coefficients[i] - v * p;
        kls_double8 series = v * v * p;
        kls_double8 t = kls_select8((kls_long8)(__builtin_elementwise_abs(v) < 0.1), series, direct);
        t = kls_select8((kls_long8)(t >= 0), t, (kls_double8)0);
        __builtin_memcpy(out + 8 * b, &t, sizeof t);
    }
}

/// log x on eight lanes (`VectorMath.log`): the kernel where every lane is a
/// positive normal finite number, else libm's log for each lane.
static inline __attribute__((always_inline)) kls_double8 kls_log8(kls_double8 x) {
    kls_long8 plain = (kls_long8)(x >= 0x1p-1022) & (kls_long8)(x <= 0x1.fffffffffffffp1023);
    if (__builtin_reduce_and(plain) != 0) return kls_log8_core(x);
    kls_double8 result;
    for (int lane = 0; lane < 8; lane++) result[lane] = log(x[lane]);
    return result;
}

/// Marsaglia–Tsang's first attempt at Gamma(shape, 1), shape ≥ 1, on eight lanes
/// (`VectorGamma.gamma`): from a standard normal x (accepted by the ziggurat
/// where `normal_ok` is all ones) and a uniform u in (0, 1), d = shape − 1/3 and
/// v = 1 + x/√(9d); the value d·v³, accepted (all ones in `accepted`) where the
/// lane is usable (x accepted, v > 0, shape ≥ 1) and the squeeze
/// u < 1 − 0.0331x⁴ or, for lanes the squeeze misses, log u < ½x² + d(1 − v³ +
/// log v³) holds. The arithmetic of the scalar sampler, step for step, without
/// fused multiply-adds. In C because Swift's code for the masks went through
/// 128-bit pieces and the stack.
static inline __attribute__((always_inline)) kls_double8 kls_gamma_attempt(
    kls_double8 x, kls_long8 normal_ok, kls_double8 u, kls_double8 shape, long long *_Nonnull accepted) {
#pragma clang fp contract(off)
    kls_double8 d = shape - 1.0 / 3;
    kls_double8 v = 1 + 1 / __builtin_elementwise_sqrt(9 * d) * x;
    kls_double8 cube = v * v * v;
    kls_long8 passed = u < 1 - 0.0331 * x * x * x * x;
    kls_long8 usable = normal_ok & (kls_long8)(v > 0) & (kls_long8)(shape >= 1);
    if (__builtin_reduce_or(usable & ~passed) != 0) {
        // Lanes with v ≤ 0 give nan here and stay rejected.
        kls_double8 safe = kls_select8(usable, cube, (kls_double8)1);
        passed |= (kls_long8)(kls_log8(u) < 0.5 * x * x + d * (1 - safe + kls_log8(safe)));
    }
    kls_long8 result = usable & passed;
    __builtin_memcpy(accepted, &result, sizeof result);
    return d * cube;
}

/// Joe & Kuo's Sobol direction numbers (SobolDirections.c, generated):
/// dimension d's primitive polynomial, with its leading and trailing 1 bits,
/// and its initial direction numbers m_k (k < 18), for d < 1024.
uint32_t kls_sobol_polynomial(int dimension);
uint32_t kls_sobol_initial(int dimension, int k);

#endif
