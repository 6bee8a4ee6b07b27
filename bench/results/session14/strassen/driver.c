/* Timing-only experiment (the weights of the seven products are random, not sums of the full weight's quadrants): one level of Strassen-Winograd on the in-projection (1024 x 768 -> 2304) built from
 * m2c's generated GEMM for the half shape (512 x 384 -> 1152), 7 products with 7 weight sets. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "g_full.h"
#include "g_sub.h"
enum { R = 1024, K = 768, N = 2304, r = R / 2, k = K / 2, n = N / 2, ROUNDS = 9 };
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static void settle(void) { struct timespec p = { 0, 100000000 }; nanosleep(&p, NULL); }
/* dst (r x k contiguous) = a ± b, a and b quadrants of x (row stride K) or contiguous (stride k) */
static void add2(float *dst, const float *a, long sa, const float *b, long sb, float sign) {
#pragma omp parallel for
    for (long i = 0; i < r; i++)
        for (long j = 0; j < k; j++) dst[i * k + j] = a[i * sa + j] + sign * b[i * sb + j];
}
static void copyq(float *dst, const float *a) {
#pragma omp parallel for
    for (long i = 0; i < r; i++) memcpy(dst + i * k, a + i * K, k * 4);
}
int main(int argc, char **argv) {
    /* "null": the full GEMM and the products-only rows pass NULL outputs (no copy out of the arena), as in a model */
    const int null_out = argc > 1 && strcmp(argv[1], "null") == 0;
    g_full_model *full; g_sub_model *sub[7];
    if (g_full_open("full/g_full.m2w", &full)) { fprintf(stderr, "open full\n"); return 1; }
    for (int i = 0; i < 7; i++) {
        char path[64]; snprintf(path, sizeof path, "sub%d/g_sub.m2w", i + 1);
        if (g_sub_open(path, &sub[i])) { fprintf(stderr, "open %s: %s\n", path, g_sub_last_error(sub[i])); return 1; }
        g_sub_set_num_threads(sub[i], 2);
    }
    g_full_set_num_threads(full, 2);
    float *x = aligned_alloc(64, (size_t)R * K * 4), *c = aligned_alloc(64, (size_t)R * N * 4);
    float *q[4], *s[4], *mm[7];
    for (int i = 0; i < 4; i++) { q[i] = aligned_alloc(64, (size_t)r * k * 4); s[i] = aligned_alloc(64, (size_t)r * k * 4); }
    for (int i = 0; i < 7; i++) mm[i] = aligned_alloc(64, (size_t)r * n * 4);
    for (long i = 0; i < (long)R * K; i++) x[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    const float *A11 = x, *A12 = x + k, *A21 = x + (long)r * K, *A22 = x + (long)r * K + k;
    double tf[ROUNDS], tp[ROUNDS], tw[ROUNDS];
    for (int round = -1; round < ROUNDS; round++) {
        settle();
        double t0 = now();
        for (int rep = 0; rep < 8; rep++) { const void *in[1] = { x }; void *out[1] = { null_out ? NULL : c }; g_full_forward_v(full, 8, in, out); }
        double t1 = now();
        settle();
        double t2 = now();
        for (int rep = 0; rep < 8; rep++)
            for (int i = 0; i < 7; i++) { const void *in[1] = { q[i % 4] }; void *out[1] = { null_out ? NULL : mm[i] }; g_sub_forward_v(sub[i], 4, in, out); }
        double t3 = now();
        settle();
        double t4 = now();
        for (int rep = 0; rep < 8; rep++) {
            add2(s[0], A21, K, A22, K, 1.0f);      /* S1 = A21 + A22 */
            add2(s[1], s[0], k, A11, K, -1.0f);    /* S2 = S1 - A11 */
            add2(s[2], A11, K, A21, K, -1.0f);     /* S3 = A11 - A21 */
            add2(s[3], A12, K, s[1], k, -1.0f);    /* S4 = A12 - S2 */
            copyq(q[0], A11); copyq(q[1], A12); copyq(q[2], A22);
            const float *ins[7] = { q[0], q[1], s[3], q[2], s[0], s[1], s[2] }; /* M1..M7 */
            for (int i = 0; i < 7; i++) { const void *in[1] = { ins[i] }; void *out[1] = { mm[i] }; g_sub_forward_v(sub[i], 4, in, out); }
            /* C11 = M1 + M2; U2 = M1 + M6; U3 = U2 + M7; C12 = U2 + M5 + M3; C21 = U3 - M4; C22 = U3 + M5 */
#pragma omp parallel for
            for (long i = 0; i < r; i++) {
                float *c11 = c + i * N, *c12 = c11 + n, *c21 = c + (i + r) * N, *c22 = c21 + n;
                const float *m1 = mm[0] + i * n, *m2 = mm[1] + i * n, *m3 = mm[2] + i * n, *m4 = mm[3] + i * n,
                            *m5 = mm[4] + i * n, *m6 = mm[5] + i * n, *m7 = mm[6] + i * n;
                for (long j = 0; j < n; j++) {
                    const float u2 = m1[j] + m6[j], u3 = u2 + m7[j];
                    c11[j] = m1[j] + m2[j]; c12[j] = u2 + m5[j] + m3[j]; c21[j] = u3 - m4[j]; c22[j] = u3 + m5[j];
                }
            }
        }
        double t5 = now();
        if (round >= 0) { tf[round] = (t1 - t0) / 8; tp[round] = (t3 - t2) / 8; tw[round] = (t5 - t4) / 8; }
    }
    qsort(tf, ROUNDS, 8, cmp); qsort(tp, ROUNDS, 8, cmp); qsort(tw, ROUNDS, 8, cmp);
    const double flop = 2.0 * R * K * N;
    printf("full GEMM            %.3f ms  %.1f GFLOP/s\n", tf[ROUNDS / 2] * 1e3, flop / tf[ROUNDS / 2] / 1e9);
    printf("7 half products only %.3f ms  %.3fx of full (7/8 = 0.875)\n", tp[ROUNDS / 2] * 1e3, tp[ROUNDS / 2] / tf[ROUNDS / 2]);
    printf("Winograd, unfused    %.3f ms  %.3fx of full, effective %.1f GFLOP/s\n", tw[ROUNDS / 2] * 1e3, tw[ROUNDS / 2] / tf[ROUNDS / 2], flop / tw[ROUNDS / 2] / 1e9);
    return 0;
}
