/* The machine's float32 FMA peak: 12 independent chains of 512-bit (AVX-512) or 256-bit (AVX2) FMAs per thread,
 * on 1 and on N threads (OpenMP), as GFLOP/s. The roofline of docs/PERFORMANCE.md ("Tenth round") divides by it.
 *   cc -O2 -march=native -fopenmp bench/peak/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak [threads]
 * The chains start from different values read through a volatile, so the compiler cannot merge them; 12 chains
 * cover the FMA latency (4 cycles) times the throughput (2 × 256 bits a cycle on Zen 4 and Cascade Lake). */
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
static float total(vec v) { return _mm512_reduce_add_ps(v); }
#elif defined(__AVX2__) && defined(__FMA__)
typedef __m256 vec;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
static float total(vec v) {
    float f[8];
    _mm256_storeu_ps(f, v);
    return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7];
}
#else
#error "fma_peak.c measures AVX-512 or AVX2+FMA: compile with -march=native on such an x86-64"
#endif

static float chains(long iterations) {
    volatile float start = 1.0f;
    vec c[12];
    for (int i = 0; i < 12; i++) c[i] = SET1(start + (float)i);
    const vec b = SET1(0.999999f), a = SET1(1e-7f);
    for (long k = 0; k < iterations; k++) {
        c[0] = FMA(c[0], b, a); c[1] = FMA(c[1], b, a); c[2] = FMA(c[2], b, a); c[3] = FMA(c[3], b, a);
        c[4] = FMA(c[4], b, a); c[5] = FMA(c[5], b, a); c[6] = FMA(c[6], b, a); c[7] = FMA(c[7], b, a);
        c[8] = FMA(c[8], b, a); c[9] = FMA(c[9], b, a); c[10] = FMA(c[10], b, a); c[11] = FMA(c[11], b, a);
    }
    vec s = c[0];
    for (int i = 1; i < 12; i++) s = ADD(s, c[i]);
    return total(s);
}

int main(int argc, char **argv) {
    const int most = argc > 1 ? atoi(argv[1]) : omp_get_max_threads();
    const long iterations = 50000000;
    for (int threads = 1; threads <= most; threads = threads < most ? most : most + 1) { /* 1, then all */
        float sink = 0.0f;
        const double t0 = now();
#pragma omp parallel num_threads(threads) reduction(+ : sink)
        sink += chains(iterations);
        const double seconds = now() - t0;
        printf("%d thread(s): %.1f GFLOP/s FMA peak (%d-lane vectors; checksum %g)\n", threads,
               (double)threads * (double)iterations * 12.0 * LANES * 2.0 / seconds / 1e9, LANES, (double)sink);
    }
    return 0;
}
