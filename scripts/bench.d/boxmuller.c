/* The limit issue 13 measures kls's fused Gaussian kernel against: k1 of
 * DiagNormal(0.1, logvar=-0.2) (16 dimensions) against StdNormal(16), n = 1e7,
 * by a Box-Muller loop the compiler vectorises (clang -O3 -ffast-math
 * -fveclib=libmvec: glibc's vector log/sin/cos) on a thread per core, uniforms
 * from a 32-bit counter hash so draws are independent of threads. Prints the
 * estimate and the best of five runs in seconds. Not exact like kls's ziggurat: a floor for
 * what the arithmetic costs, nothing more. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#define DIM 16
#define N 10000000L
#define BLOCK 4096
#define MU 0.1
#define LOGVAR (-0.2)

/* A 32-bit counter hash (lowbias32): 32-bit multiplies vectorise on AVX2. */
static inline uint32_t mix(uint32_t x) {
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    return x ^ (x >> 16);
}

/* Σ over one block of pairs of dimensions of the log-ratio terms. */
static double block(uint32_t first, int pairs, double mu, double sigma) {
    double lr = 0;
    for (int j = 0; j < pairs; j++) {
        uint32_t k = 2 * (first + (uint32_t)j);
        double u1 = ((int32_t)(mix(k) >> 1) + 0.5) * 0x1p-31;
        double u2 = (int32_t)(mix(k + 1) >> 1) * 0x1p-31;
        double r = sqrt(-2 * log(u1));
        double e1 = r * cos(2 * M_PI * u2), e2 = r * sin(2 * M_PI * u2);
        double z1 = mu + sigma * e1, z2 = mu + sigma * e2;
        lr += -0.5 * (e1 * e1 + e2 * e2) + 0.5 * (z1 * z1 + z2 * z2);
    }
    return lr;
}

struct part {
    long first, last;
    double sum;
};

static void *run(void *argument) {
    struct part *p = argument;
    const double sigma = exp(0.5 * LOGVAR);
    p->sum = 0;
    for (long b = p->first; b < p->last; b++) p->sum += block((uint32_t)(b * BLOCK), BLOCK, MU, sigma);
    return NULL;
}

/* Blocks of pairs split evenly over one thread per core. */
static double estimate(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN), blocks = N * DIM / 2 / BLOCK;
    if (cores < 1) cores = 1;
    if (cores > 64) cores = 64;
    pthread_t threads[64];
    struct part parts[64];
    for (long t = 0; t < cores; t++) {
        parts[t] = (struct part){blocks * t / cores, blocks * (t + 1) / cores, 0};
        pthread_create(&threads[t], NULL, run, &parts[t]);
    }
    double total = 0;
    for (long t = 0; t < cores; t++) {
        pthread_join(threads[t], NULL);
        total += parts[t].sum;
    }
    return total / N - DIM * 0.5 * LOGVAR;
}

int main(void) {
    double best = 1e300, value = 0;
    for (int rep = 0; rep < 6; rep++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        value = estimate();
        clock_gettime(CLOCK_MONOTONIC, &b);
        double t = (b.tv_sec - a.tv_sec) + 1e-9 * (b.tv_nsec - a.tv_nsec);
        if (rep > 0 && t < best) best = t;
    }
    printf("%.6f %.6f\n", value, best);
    return 0;
}
