// Vector operations Swift's SIMD types do not compile to vector instructions.
// Clang's ext_vector_type of eight doubles is imported as SIMD8<Double>, and
// these inline functions are inlined into the Swift code that calls them.
#ifndef KLS_CVECTORMATH_H
#define KLS_CVECTORMATH_H

#include "LogTable.h"

typedef double kls_double8 __attribute__((ext_vector_type(8)));

/// The correctly rounded square root of each lane (one vsqrtpd per register),
/// the same doubles as `Double.squareRoot()`, which Swift's
/// `SIMD8<Double>.squareRoot()` computes lane by lane with a branch each.
static inline __attribute__((always_inline)) kls_double8 kls_sqrt8(kls_double8 x) {
    return __builtin_elementwise_sqrt(x);
}

#endif
