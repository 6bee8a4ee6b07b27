/* GEMM micro-benchmark driver (bench/gemm/run.sh builds it once per shape): the same matmul three ways in one
 * process — m2c's generated micro-kernel library (M2C), the generated --gemm openblas library (BLAS: one
 * single-threaded cblas_sgemm per work item under m2c's OpenMP split), and a plain loop of cblas_sgemm per block
 * with OpenBLAS's own threads (RAW, after the same copy of x that forward makes into its arena) — at rows = 128 · batch,
 * 1 and 2 threads, interleaved rounds in rotating order with a settle pause before each block, medians.
 * Prints one line per (batch, threads): GFLOP/s of each and m2c's ratio to the better OpenBLAS. */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define STR_(a) #a
#define STR(a) STR_(a)
#include STR(M2C.h)
#include STR(BLAS.h)

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Long enough for OpenBLAS's spinning workers to go to sleep (2^28 cycles is about 0.1 s). */
static void settle(void) {
    const struct timespec pause = { 0, 200 * 1000 * 1000 };
    nanosleep(&pause, NULL);
}

/* RAW: what forward does with OpenBLAS's own threads — copy x into the arena, one cblas_sgemm per block. */
static void raw_forward(int nt, long rows, long n, long m, long p, long q, long nb, const float *x, float *arena,
                        const float *w, float *y) {
    openblas_set_num_threads(nt);
    memcpy(arena, x, (size_t)rows * (size_t)n * 4);
    for (long b = 0; b < nb; b++) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)rows, (blasint)q, (blasint)p, 1.0f,
                    arena + b * p, (blasint)n, w, (blasint)q, 0.0f, y + b * q, (blasint)m);
    }
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

enum { ROUNDS = 7 };

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s M2C.m2w BLAS.m2w LABEL BATCH...\n", argv[0]);
        return 2;
    }
    const long n = FEATURES_IN, m = FEATURES_OUT, nb = NBLOCKS, p = n / nb, q = m / nb;
    CAT(M2C, _model) *mine = NULL;
    CAT(BLAS, _model) *blas = NULL;
    if (CAT(M2C, _open)(argv[1], &mine) || CAT(BLAS, _open)(argv[2], &blas)) {
        fprintf(stderr, "open failed: %s %s\n", CAT(M2C, _last_error)(mine), CAT(BLAS, _last_error)(blas));
        return 1;
    }
    /* RAW reads the weights as [nb][p][q] (k-major), the layout the generated BLAS library's .m2w holds. */
    for (int a = 4; a < argc; a++) {
        const int batch = atoi(argv[a]);
        const long rows = 128L * batch;
        float *x = aligned_alloc(64, (size_t)rows * (size_t)n * 4), *y = aligned_alloc(64, (size_t)rows * (size_t)m * 4);
        float *w = aligned_alloc(64, (size_t)n * (size_t)q * 4), *arena = aligned_alloc(64, (size_t)rows * (size_t)n * 4);
        for (long i = 0; i < rows * n; i++) x[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
        for (long i = 0; i < n * q; i++) w[i] = (float)((i * 104729) % 1000) / 1000.0f - 0.5f;
        const void *inputs[1] = { x };
        void *outputs[1] = { NULL }; /* NULL: no output copy, only the kernel's own stores */
        const double flop = 2.0 * (double)rows * (double)q * (double)p * (double)nb;
        for (int nt = 1; nt <= 2; nt++) {
            CAT(M2C, _set_num_threads)(mine, nt);
            CAT(BLAS, _set_num_threads)(blas, nt);
            /* Each sample repeats the call `reps` times so it lasts ≥ 50 ms (timer and fork/join noise). */
            long reps = 1;
            for (;;) {
                double t0 = now();
                for (long i = 0; i < reps; i++) CAT(M2C, _forward_v)(mine, batch, inputs, outputs);
                if (now() - t0 >= 0.05) break;
                reps *= 2;
            }
            /* Each implementation's block starts after a settle pause, in an order that rotates each round:
             * OpenBLAS's idle workers busy-wait (THREAD_TIMEOUT, 2^28 cycles by default) and libgomp's spin
             * briefly, and on 2 cores a spinning worker left over from one block takes a core from the next. */
            double t[3][ROUNDS];
            for (int r = -1; r < ROUNDS; r++) { /* round -1 warms up */
                for (int s = 0; s < 3; s++) {
                    const int k = (r + 1 + s) % 3;
                    settle();
                    const double t0 = now();
                    for (long i = 0; i < reps; i++) {
                        if (k == 0) CAT(M2C, _forward_v)(mine, batch, inputs, outputs);
                        else if (k == 1) CAT(BLAS, _forward_v)(blas, batch, inputs, outputs);
                        else raw_forward(nt, rows, n, m, p, q, nb, x, arena, w, y);
                    }
                    if (r >= 0) t[k][r] = (now() - t0) / reps;
                }
            }
            double g[3];
            for (int k = 0; k < 3; k++) {
                qsort(t[k], ROUNDS, sizeof(double), cmp);
                g[k] = flop / t[k][ROUNDS / 2] / 1e9;
            }
            const double best_blas = g[1] > g[2] ? g[1] : g[2];
            printf("| %s | %ld | %d | %.1f | %.1f | %.1f | %.2f |\n", argv[3], rows, nt, g[0], g[1], g[2], g[0] / best_blas);
            fflush(stdout);
        }
        free(x);
        free(y);
        free(w);
        free(arena);
    }
    CAT(M2C, _close)(mine);
    CAT(BLAS, _close)(blas);
    return 0;
}
