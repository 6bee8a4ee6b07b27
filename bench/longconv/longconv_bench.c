/*
 * longconv_bench: one bidirectional long convolution with a D skip (M2-BERT's, semantics §3.7), H channels of
 * length L, batch 1, timed three ways in one process so that their ratios share the machine's state:
 *
 *   fused    an m2c-generated library (CPU pipeline: one fused monarch_conv kernel), loaded with dlopen
 *   monarch  the same compiled with --no-fusion (Monarch-FFT form expanded into primitive ops)
 *   fftw     FFTW3 float: zero-pad to N = 2L, r2c, product with the precomputed kernel spectrum, c2r, keep L
 *   direct   an m2c-generated library compiled with --long-conv direct (the O(L²) sum)
 *
 *   longconv_bench weights -L L -H H -s SEED -o FILE.safetensors
 *       writes k_fwd [H,L], k_rev [H,L], skip [H] (the weights of bench/longconv/lc.m2) from SEED
 *   longconv_bench time -L L -H H -s SEED --fused DIR/NAME --monarch DIR/NAME --direct DIR/NAME --factors 32x8
 *                  [--threads 1,2] [--warmup S] [--min-time S] [--min-reps N]
 *       regenerates the same weights from SEED, checks the four outputs against each other, then prints one
 *       markdown table row per thread count (ms per layer = 2 convolutions; GFLOP/s from nominal flop counts)
 *
 * Timing: per method a warm-up of at least --warmup seconds after the output check's call (none when that call
 * took over 2 s), then ceil(--min-time / one call) repetitions (at least --min-reps, at most 200; a single one
 * once a call exceeds 2 s); the methods take turns repetition by repetition, so slow drifts of a shared
 * machine hit all four alike; the median is reported.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fftw3.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FACTORS 16
#define MAX_THREAD_COUNTS 8
#define MAX_REPS 200
#define LONG_CALL_SECONDS 2.0
/* float32 against float32, both near the Float64 result: anything above this is a wrong convolution. */
#define MAX_REL_L2 1e-4

static void die(const char *fmt, const char *detail) {
    fprintf(stderr, "longconv_bench: ");
    fprintf(stderr, fmt, detail);
    fputc('\n', stderr);
    exit(2);
}

static void *checked_alloc(size_t floats) {
    void *p = fftwf_malloc(sizeof(float) * (floats ? floats : 1));
    if (!p) die("cannot allocate %s floats", "the benchmark's");
    return p;
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ---- deterministic data (splitmix64), the same in both subcommands ---- */

static uint64_t rng_state;

static float uniform_pm1(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (float)((double)(z >> 11) / (double)(1ull << 53) * 2.0 - 1.0);
}

typedef struct {
    long h, l;
    float *k_fwd, *k_rev, *skip, *x;
} problem;

/* Kernels scaled by 1/sqrt(L) keep the outputs O(1) for every L. */
static problem make_problem(long h, long l, uint64_t seed) {
    problem p = {h, l, checked_alloc(h * l), checked_alloc(h * l), checked_alloc(h), checked_alloc(h * l)};
    rng_state = seed;
    const float scale = 1.0f / sqrtf((float)l);
    for (long i = 0; i < h * l; i++) p.k_fwd[i] = scale * uniform_pm1();
    for (long i = 0; i < h * l; i++) p.k_rev[i] = scale * uniform_pm1();
    for (long i = 0; i < h; i++) p.skip[i] = uniform_pm1();
    for (long i = 0; i < h * l; i++) p.x[i] = uniform_pm1();
    return p;
}

/* A safetensors file: u64 header length, JSON header padded with spaces to 8 bytes, raw little-endian data. */
static void write_safetensors(const problem *p, const char *path) {
    const size_t kernel_bytes = sizeof(float) * (size_t)(p->h * p->l), skip_bytes = sizeof(float) * (size_t)p->h;
    char header[512];
    int n = snprintf(header, sizeof header,
                     "{\"k_fwd\":{\"dtype\":\"F32\",\"shape\":[%ld,%ld],\"data_offsets\":[0,%zu]},"
                     "\"k_rev\":{\"dtype\":\"F32\",\"shape\":[%ld,%ld],\"data_offsets\":[%zu,%zu]},"
                     "\"skip\":{\"dtype\":\"F32\",\"shape\":[%ld],\"data_offsets\":[%zu,%zu]}}",
                     p->h, p->l, kernel_bytes, p->h, p->l, kernel_bytes, 2 * kernel_bytes,
                     p->h, 2 * kernel_bytes, 2 * kernel_bytes + skip_bytes);
    while (n % 8 != 0) header[n++] = ' ';
    FILE *f = fopen(path, "wb");
    if (!f) die("cannot write %s", path);
    uint64_t length = (uint64_t)n;
    int ok = fwrite(&length, 8, 1, f) == 1 && fwrite(header, 1, (size_t)n, f) == (size_t)n
             && fwrite(p->k_fwd, 1, kernel_bytes, f) == kernel_bytes && fwrite(p->k_rev, 1, kernel_bytes, f) == kernel_bytes
             && fwrite(p->skip, 1, skip_bytes, f) == skip_bytes;
    if (fclose(f) != 0 || !ok) die("cannot write %s", path);
}

/* ---- nominal flop counts per channel (docs/MONARCH_FFT.md) ---- */

/* MonarchFlopCount(plan).total of Sources/M2Passes/MonarchCostModel.swift: the flops lower-long-conv emits. */
static double monarch_flops(const long *factors, int levels) {
    long n = 1;
    for (int i = 0; i < levels; i++) n *= factors[i];
    long complex_stages = 0;
    for (int i = 1; i < levels; i++) complex_stages += 8 * n * factors[i] + 2 * n;
    const long forward = 2 * n * factors[0] + complex_stages;
    const long inverse = 2 * n * factors[0] + n / 2 + complex_stages;
    return (double)(forward + inverse + 12 * n * (levels - 1) + 6 * n);
}

/* A radix-2 FFT convolution: 5·N·log2 N per transform, forward and inverse (MonarchFlopCount.radix2: log2 N
 * rounded up, as a radix-2 FFT pads N to a power of two). */
static double radix2_flops(long n) {
    long log2n = 0;
    while ((1L << log2n) < n) log2n++;
    return 2.0 * 5.0 * (double)n * (double)log2n;
}

static double direct_flops(long l) { return 2.0 * (double)l * (double)l; }

/* ---- the m2c-generated libraries ---- */

typedef struct {
    void *model;
    int (*forward_v)(void *, int, const void *const *, void *const *);
    int (*set_num_threads)(void *, int);
    const char *(*last_error)(const void *);
    const char *path;
} m2c_library;

static void *symbol(void *dl, const char *name, const char *suffix) {
    char full[512];
    snprintf(full, sizeof full, "%s_%s", name, suffix);
    void *s = dlsym(dl, full);
    if (!s) die("generated library has no symbol %s", full);
    return s;
}

/* `prefix` is DIR/NAME: loads DIR/libNAME.so and opens DIR/NAME.m2w. */
static m2c_library open_m2c(const char *prefix) {
    char dir[1024], so[1200], m2w[1200];
    const char *slash = strrchr(prefix, '/');
    const char *name = slash ? slash + 1 : prefix;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - prefix) : 1, slash ? prefix : ".");
    snprintf(so, sizeof so, "%s/lib%s.so", dir, name);
    snprintf(m2w, sizeof m2w, "%s/%s.m2w", dir, name);
    void *dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!dl) die("%s", dlerror());
    m2c_library lib = {NULL, symbol(dl, name, "forward_v"), symbol(dl, name, "set_num_threads"),
                       symbol(dl, name, "last_error"), prefix};
    int (*open_fn)(const char *, void **) = symbol(dl, name, "open");
    if (open_fn(m2w, &lib.model) != 0) die("cannot open the weights of %s", prefix);
    return lib;
}

static void run_m2c(void *context, const float *x, float *y) {
    m2c_library *lib = context;
    const void *inputs[1] = {x};
    void *outputs[1] = {y};
    if (lib->forward_v(lib->model, 1, inputs, outputs) != 0) die("forward failed: %s", lib->last_error(lib->model));
}

/* ---- the FFTW baseline ---- */

typedef struct {
    long h, l, n, bins;
    float *padded, *out;
    fftwf_complex *spectrum, *kernel_spectrum;
    fftwf_plan r2c, c2r;
    int threads;
} fftw_convolution;

/* Plans (FFTW_MEASURE, before any data is written: measuring overwrites the arrays) for `threads`, then the
 * kernel spectrum: K[n] = k_fwd[n] + D·[n = 0] for n < L, k_rev[2L−1−n] for n ≥ L, transformed and scaled by
 * 1/N (FFTW's c2r is unnormalised). */
static fftw_convolution make_fftw(const problem *p, int threads) {
    fftw_convolution c = {p->h, p->l, 2 * p->l, p->l + 1, NULL, NULL, NULL, NULL, NULL, NULL, threads};
    c.padded = checked_alloc(c.h * c.n);
    c.out = checked_alloc(c.h * c.n);
    c.spectrum = fftwf_malloc(sizeof(fftwf_complex) * (size_t)(c.h * c.bins));
    c.kernel_spectrum = fftwf_malloc(sizeof(fftwf_complex) * (size_t)(c.h * c.bins));
    if (!c.spectrum || !c.kernel_spectrum) die("cannot allocate %s", "spectra");
    const int n = (int)c.n;
    fftwf_plan_with_nthreads(threads);
    c.r2c = fftwf_plan_many_dft_r2c(1, &n, (int)c.h, c.padded, NULL, 1, n, c.spectrum, NULL, 1, (int)c.bins, FFTW_MEASURE);
    c.c2r = fftwf_plan_many_dft_c2r(1, &n, (int)c.h, c.spectrum, NULL, 1, (int)c.bins, c.out, NULL, 1, n, FFTW_MEASURE);
    if (!c.r2c || !c.c2r) die("FFTW could not plan %s", "the convolution");
    for (long ch = 0; ch < c.h; ch++) {
        float *k = c.padded + ch * c.n;
        for (long i = 0; i < c.l; i++) k[i] = p->k_fwd[ch * c.l + i];
        k[0] += p->skip[ch];
        for (long i = c.l; i < c.n; i++) k[i] = p->k_rev[ch * c.l + (2 * c.l - 1 - i)];
    }
    fftwf_execute_dft_r2c(c.r2c, c.padded, c.kernel_spectrum);
    const float inverse_n = 1.0f / (float)c.n;
    for (long i = 0; i < c.h * c.bins; i++) {
        c.kernel_spectrum[i][0] *= inverse_n;
        c.kernel_spectrum[i][1] *= inverse_n;
    }
    return c;
}

static void run_fftw(void *context, const float *x, float *y) {
    fftw_convolution *c = context;
    const long h = c->h, l = c->l, n = c->n, bins = c->bins;
#pragma omp parallel for schedule(static) num_threads(c->threads)
    for (long ch = 0; ch < h; ch++) {
        memcpy(c->padded + ch * n, x + ch * l, sizeof(float) * (size_t)l);
        memset(c->padded + ch * n + l, 0, sizeof(float) * (size_t)(n - l));
    }
    fftwf_execute(c->r2c);
#pragma omp parallel for schedule(static) num_threads(c->threads)
    for (long i = 0; i < h * bins; i++) {
        const float re = c->spectrum[i][0], im = c->spectrum[i][1];
        const float kr = c->kernel_spectrum[i][0], ki = c->kernel_spectrum[i][1];
        c->spectrum[i][0] = re * kr - im * ki;
        c->spectrum[i][1] = re * ki + im * kr;
    }
    fftwf_execute(c->c2r);
#pragma omp parallel for schedule(static) num_threads(c->threads)
    for (long ch = 0; ch < h; ch++) memcpy(y + ch * l, c->out + ch * n, sizeof(float) * (size_t)l);
}

static void free_fftw(fftw_convolution *c) {
    fftwf_destroy_plan(c->r2c);
    fftwf_destroy_plan(c->c2r);
    fftwf_free(c->padded);
    fftwf_free(c->out);
    fftwf_free(c->spectrum);
    fftwf_free(c->kernel_spectrum);
}

/* ---- timing ---- */

typedef struct {
    const char *name;
    void (*run)(void *, const float *, float *);
    void *context;
    double first_call; /* seconds of the output check's call, the first warm-up call */
    int reps;
    double samples[MAX_REPS];
} method;

static double timed_call(method *m, const float *x, float *y) {
    const double start = now_seconds();
    m->run(m->context, x, y);
    return now_seconds() - start;
}

static int compare_doubles(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Warm-up of each method (continuing from its first call), then repetitions taken in turns; fills each
 * method's samples and reps. */
static void measure(method *methods, int count, const float *x, float *y, double warmup, double min_time, int min_reps) {
    int rounds = 0;
    for (int i = 0; i < count; i++) {
        method *m = &methods[i];
        double one = m->first_call;
        const double start = now_seconds();
        if (one < LONG_CALL_SECONDS)
            do one = timed_call(m, x, y); while (now_seconds() - start < warmup && one < LONG_CALL_SECONDS);
        const double wanted = ceil(min_time / one);
        m->reps = one > LONG_CALL_SECONDS ? 1 : (int)fmin(MAX_REPS, fmax(min_reps, wanted));
        if (m->reps > rounds) rounds = m->reps;
    }
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < count; i++)
            if (r < methods[i].reps) methods[i].samples[r] = timed_call(&methods[i], x, y);
}

static double median_ms(method *m) {
    qsort(m->samples, (size_t)m->reps, sizeof(double), compare_doubles);
    const int k = m->reps;
    return 1e3 * (k % 2 ? m->samples[k / 2] : 0.5 * (m->samples[k / 2 - 1] + m->samples[k / 2]));
}

/* ---- correctness: relative L2 distance ---- */

static double rel_l2(const float *a, const float *b, long count) {
    double diff = 0.0, norm = 0.0;
    for (long i = 0; i < count; i++) {
        const double d = (double)a[i] - (double)b[i];
        diff += d * d;
        norm += (double)b[i] * (double)b[i];
    }
    return sqrt(diff / (norm > 0.0 ? norm : 1.0));
}

/* ---- command line ---- */

typedef struct {
    const char *command, *output, *fused, *monarch, *direct, *factors;
    long h, l;
    uint64_t seed;
    int threads[MAX_THREAD_COUNTS], thread_counts, min_reps;
    double warmup, min_time;
} options;

static long parse_long(const char *text, const char *flag) {
    char *end = NULL;
    const long v = strtol(text, &end, 10);
    if (!text[0] || *end || v < 1) die("%s needs a positive integer", flag);
    return v;
}

static int parse_list(const char *text, const char *sep, long *out, int max, const char *flag) {
    char copy[256];
    snprintf(copy, sizeof copy, "%s", text);
    int count = 0;
    for (char *save = NULL, *t = strtok_r(copy, sep, &save); t; t = strtok_r(NULL, sep, &save)) {
        if (count == max) die("%s has too many entries", flag);
        out[count++] = parse_long(t, flag);
    }
    if (count == 0) die("%s is empty", flag);
    return count;
}

static options parse(int argc, char **argv) {
    options o = {.h = 768, .l = 128, .seed = 1, .threads = {1}, .thread_counts = 1, .min_reps = 5,
                 .warmup = 0.5, .min_time = 1.0};
    if (argc < 2) die("%s", "usage: longconv_bench weights|time -L L -H H -s SEED … (see the header of longconv_bench.c)");
    o.command = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *flag = argv[i];
        if (i + 1 >= argc) die("%s needs a value", flag);
        const char *v = argv[++i];
        if (!strcmp(flag, "-L")) o.l = parse_long(v, flag);
        else if (!strcmp(flag, "-H")) o.h = parse_long(v, flag);
        else if (!strcmp(flag, "-s")) o.seed = (uint64_t)parse_long(v, flag);
        else if (!strcmp(flag, "-o")) o.output = v;
        else if (!strcmp(flag, "--fused")) o.fused = v;
        else if (!strcmp(flag, "--monarch")) o.monarch = v;
        else if (!strcmp(flag, "--direct")) o.direct = v;
        else if (!strcmp(flag, "--factors")) o.factors = v;
        else if (!strcmp(flag, "--min-reps")) o.min_reps = (int)parse_long(v, flag);
        else if (!strcmp(flag, "--warmup")) o.warmup = atof(v);
        else if (!strcmp(flag, "--min-time")) o.min_time = atof(v);
        else if (!strcmp(flag, "--threads")) {
            long t[MAX_THREAD_COUNTS];
            o.thread_counts = parse_list(v, ",", t, MAX_THREAD_COUNTS, flag);
            for (int k = 0; k < o.thread_counts; k++) o.threads[k] = (int)t[k];
        } else die("unknown option %s", flag);
    }
    return o;
}

static int time_all(const options *o) {
    if (!o->fused || !o->monarch || !o->direct || !o->factors)
        die("%s", "time needs --fused DIR/NAME, --monarch DIR/NAME, --direct DIR/NAME and --factors");
    long factors[MAX_FACTORS];
    const int levels = parse_list(o->factors, "x", factors, MAX_FACTORS, "--factors");
    long n = 1;
    for (int i = 0; i < levels; i++) n *= factors[i];
    if (n != 2 * o->l) die("--factors %s does not multiply to N = 2L", o->factors);

    problem p = make_problem(o->h, o->l, o->seed);
    m2c_library fused = open_m2c(o->fused), monarch = open_m2c(o->monarch), direct = open_m2c(o->direct);
    const long count = o->h * o->l;
    float *y_fused = checked_alloc(count), *y_monarch = checked_alloc(count), *y_fftw = checked_alloc(count);
    float *y_direct = checked_alloc(count);
    float *scratch = checked_alloc(count);

    /* Flop counts per convolution (all channels); one layer runs two convolutions. Both m2c forms are rated on
     * the flops of the expanded Monarch form. */
    const double flops[4] = {o->h * monarch_flops(factors, levels), o->h * monarch_flops(factors, levels),
                             o->h * radix2_flops(n), o->h * direct_flops(o->l)};
    printf("# L=%ld H=%ld factors=%s flops/channel: monarch %.0f radix2 %.0f direct %.0f\n", o->l, o->h, o->factors,
           monarch_flops(factors, levels), radix2_flops(n), direct_flops(o->l));

    int failed = 0;
    for (int t = 0; t < o->thread_counts; t++) {
        const int threads = o->threads[t];
        fftw_convolution fftw = make_fftw(&p, threads);
        if (fused.set_num_threads(fused.model, threads) || monarch.set_num_threads(monarch.model, threads)
            || direct.set_num_threads(direct.model, threads))
            die("cannot set %s threads", "the libraries'");
        method methods[4] = {{.name = "fused", .run = run_m2c, .context = &fused},
                             {.name = "monarch", .run = run_m2c, .context = &monarch},
                             {.name = "fftw", .run = run_fftw, .context = &fftw},
                             {.name = "direct", .run = run_m2c, .context = &direct}};
        float *outputs[4] = {y_fused, y_monarch, y_fftw, y_direct};
        for (int i = 0; i < 4; i++) methods[i].first_call = timed_call(&methods[i], p.x, outputs[i]);
        const double e_fused = rel_l2(y_fused, y_direct, count), e_monarch = rel_l2(y_monarch, y_direct, count);
        const double e_fftw = rel_l2(y_fftw, y_direct, count);
        printf("# L=%ld threads=%d rel L2 vs direct: fused %.2e monarch %.2e fftw %.2e\n", o->l, threads, e_fused, e_monarch,
               e_fftw);
        if (!(e_fused <= MAX_REL_L2) || !(e_monarch <= MAX_REL_L2) || !(e_fftw <= MAX_REL_L2)) {
            fprintf(stderr, "longconv_bench: L=%ld: the convolutions disagree (limit %.0e)\n", o->l, MAX_REL_L2);
            failed = 1;
        }
        measure(methods, 4, p.x, scratch, o->warmup, o->min_time, o->min_reps);
        double ms[4];
        for (int i = 0; i < 4; i++) ms[i] = median_ms(&methods[i]);
        printf("# L=%ld threads=%d repetitions: fused %d monarch %d fftw %d direct %d\n", o->l, threads,
               methods[0].reps, methods[1].reps, methods[2].reps, methods[3].reps);
        /* | L | thr | factors | fused ms | GFLOP/s | expanded ms | GFLOP/s | FFTW ms | GFLOP/s | direct ms | GFLOP/s |
         * fused/FFTW | expanded/FFTW | fused/direct | */
        printf("| %ld | %d | %s ", o->l, threads, o->factors);
        for (int i = 0; i < 4; i++) printf("| %.3f | %.1f ", 2.0 * ms[i], flops[i] / (ms[i] * 1e6));
        printf("| %.2f | %.2f | %.3f |\n", ms[0] / ms[2], ms[1] / ms[2], ms[0] / ms[3]);
        fflush(stdout);
        free_fftw(&fftw);
    }
    return failed;
}

/* ---- the fused kernel alone (`kernels`): any factorization, current template vs a baseline ---- */

/* The Makefile renders Templates/cpu/monarch_conv_support.c.tmpl as prefix m2_mc16_ (current) and a baseline copy
 * (another revision of it; by default the same file) as m2_mcbase16_, both for AVX-512 with 16 lanes. */
#include "monarch_conv_current.inc"
#include "monarch_conv_baseline.inc"

#define KERNEL_LANES 16

/* 64-byte aligned (the kernel loads whole 16-float vectors; fftwf_malloc may align less). Freed with free(). */
static float *vector_alloc(long floats) {
    const size_t bytes = (sizeof(float) * (size_t)(floats ? floats : 1) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (!p) die("cannot allocate %s", "kernel buffers");
    return p;
}

typedef struct {
    long h, l, n;
    int levels, threads;
    int factors[MAX_FACTORS];
    long span[MAX_FACTORS], dft_offset[MAX_FACTORS], twiddle_offset[MAX_FACTORS];
    float *tables, *spectrum, *scratch;
    int baseline;
} kernel_setup;

/* The layout of MonarchConvKernelPlan: per level its DFT matrix, then (all but the last) its twiddles. */
static long kernel_layout(kernel_setup *k) {
    long at = 0;
    for (int i = 0; i < k->levels; i++) {
        k->span[i] = 1;
        for (int j = i; j < k->levels; j++) k->span[i] *= k->factors[j];
    }
    for (int i = 0; i < k->levels; i++) {
        k->dft_offset[i] = at;
        at += 2L * k->factors[i] * k->factors[i];
        k->twiddle_offset[i] = i < k->levels - 1 ? at : 0;
        if (i < k->levels - 1) at += 2 * k->span[i];
    }
    return at;
}

/* The spectrum operand of monarch_conv, packed as the kernel reads it: DFT_N(K)/N (K as in make_fftw) at the
 * forward output's digit-reversed positions, per group of 16 channels [position][real, imaginary][lane]. */
static float *kernel_spectrum(const fftw_convolution *c, const kernel_setup *k) {
    const long groups = (k->h + KERNEL_LANES - 1) / KERNEL_LANES, n = k->n;
    float *packed = vector_alloc(groups * n * 2 * KERNEL_LANES);
    memset(packed, 0, sizeof(float) * (size_t)(groups * n * 2 * KERNEL_LANES));
    for (long pos = 0; pos < n; pos++) {
        /* position k1·S_2 + k2·S_3 + … + kp holds frequency k1 + N1·k2 + N1N2·k3 + … */
        long rest = pos, frequency = 0, place = 1;
        for (int i = 0; i < k->levels; i++) {
            const long below = i + 1 < k->levels ? k->span[i + 1] : 1;
            frequency += (rest / below) * place;
            rest %= below;
            place *= k->factors[i];
        }
        const int mirrored = frequency > k->l;
        const long bin = mirrored ? n - frequency : frequency;
        for (long ch = 0; ch < k->h; ch++) {
            const float re = c->kernel_spectrum[ch * c->bins + bin][0], im = c->kernel_spectrum[ch * c->bins + bin][1];
            float *at = packed + ((ch / KERNEL_LANES * n + pos) * 2) * KERNEL_LANES + ch % KERNEL_LANES;
            at[0] = re;
            at[KERNEL_LANES] = mirrored ? -im : im;
        }
    }
    return packed;
}

/* The loop of Templates/cpu/monarch_conv.c.tmpl for one batch item: units of 16 channels over the threads. */
/* SHAPE_TAIL and UNIT_TAIL: what templates since the channels-last layout add to the shape (strides, no fused input
 * convolution) and to the unit call (no z); empty for older revisions (a --baseline before that change). */
#define KERNEL_DRIVER(prefix, SHAPE_TAIL, UNIT_TAIL)                                                                 \
    static void run_##prefix(const kernel_setup *k, const float *x, float *y) {                                     \
        const prefix##_shape shape = {k->levels, k->factors, k->span, k->dft_offset, k->twiddle_offset, k->n, k->l, k->h \
                                      SHAPE_TAIL};                                                                   \
        const long units = (k->h + KERNEL_LANES - 1) / KERNEL_LANES;                                                 \
        const long workers = units < k->threads ? units : k->threads;                                               \
        _Pragma("omp parallel for schedule(static) num_threads(k->threads)")                                         \
        for (long w = 0; w < workers; w++) {                                                                         \
            float *buf = k->scratch + w * 2 * k->n * KERNEL_LANES;                                                   \
            for (long u = w; u < units; u += workers) {                                                              \
                const long c0 = u * KERNEL_LANES;                                                                    \
                const int lanes = (int)(k->h - c0 < KERNEL_LANES ? k->h - c0 : KERNEL_LANES);                        \
                prefix##_unit(&shape, k->tables, x + c0 * k->l, NULL, NULL, NULL, k->spectrum, c0, lanes,            \
                              y + c0 * k->l, buf UNIT_TAIL);                                                         \
            }                                                                                                        \
        }                                                                                                            \
    }
#define STRIDED_SHAPE , 1, k->l, 0, 0, {-1, -1, -1}
#define STRIDED_UNIT , NULL, NULL, NULL
/* Templates since sequence pairing take a `paired` flag last: one sequence here. */
#define PAIRED_UNIT , NULL, NULL, NULL, 0
#define NOTHING
KERNEL_DRIVER(m2_mc16, STRIDED_SHAPE, PAIRED_UNIT)
#if defined(M2_MCBASE_PAIRED)
KERNEL_DRIVER(m2_mcbase16, STRIDED_SHAPE, PAIRED_UNIT)
#elif defined(M2_MCBASE_STRIDED)
KERNEL_DRIVER(m2_mcbase16, STRIDED_SHAPE, STRIDED_UNIT)
#else
KERNEL_DRIVER(m2_mcbase16, NOTHING, NOTHING)
#endif

static void run_kernel(void *context, const float *x, float *y) {
    const kernel_setup *k = context;
    if (k->baseline) run_m2_mcbase16(k, x, y);
    else run_m2_mc16(k, x, y);
}

/* `kernels`: per factorization, the current and the baseline kernel against FFTW, timed in turns in this process. */
static int time_kernels(const options *o) {
    if (!o->factors) die("%s", "kernels needs --factors 16x8x8,8x8x16,…");
    problem p = make_problem(o->h, o->l, o->seed);
    const long count = o->h * o->l;
    float *y_fftw = checked_alloc(count), *y_kernel = checked_alloc(count), *scratch = checked_alloc(count);
    printf("# kernels L=%ld H=%ld lanes=%d: current template vs baseline, ms per layer (2 convolutions)\n", o->l, o->h,
           KERNEL_LANES);
    int failed = 0;
    for (int t = 0; t < o->thread_counts; t++) {
        const int threads = o->threads[t];
        fftw_convolution fftw = make_fftw(&p, threads);
        char list[256];
        snprintf(list, sizeof list, "%s", o->factors);
        for (char *save = NULL, *plan = strtok_r(list, ",", &save); plan; plan = strtok_r(NULL, ",", &save)) {
            kernel_setup k[2] = {{.h = o->h, .l = o->l, .n = 2 * o->l, .threads = threads}};
            long factors[MAX_FACTORS], n = 1;
            k[0].levels = parse_list(plan, "x", factors, MAX_FACTORS, "--factors");
            for (int i = 0; i < k[0].levels; i++) {
                k[0].factors[i] = (int)factors[i];
                n *= factors[i];
            }
            if (n != 2 * o->l || factors[0] % 2 || factors[0] > 64) die("bad factorization %s for N = 2L", plan);
            const long table_floats = kernel_layout(&k[0]);
            k[0].tables = vector_alloc(table_floats);
            m2_mc16_fill_tables(&(m2_mc16_shape){.levels = k[0].levels, .factors = k[0].factors, .span = k[0].span,
                                                 .dft_offset = k[0].dft_offset, .twiddle_offset = k[0].twiddle_offset,
                                                 .n = k[0].n, .l = k[0].l, .h = k[0].h}, k[0].tables);
            k[0].spectrum = kernel_spectrum(&fftw, &k[0]);
            k[0].scratch = vector_alloc((long)threads * 2 * k[0].n * KERNEL_LANES);
            k[1] = k[0];
            k[1].baseline = 1;
            k[1].tables = vector_alloc(table_floats);
            m2_mcbase16_fill_tables(&(m2_mcbase16_shape){.levels = k[1].levels, .factors = k[1].factors, .span = k[1].span,
                                                         .dft_offset = k[1].dft_offset, .twiddle_offset = k[1].twiddle_offset,
                                                         .n = k[1].n, .l = k[1].l, .h = k[1].h}, k[1].tables);
            method methods[3] = {{.name = "current", .run = run_kernel, .context = &k[0]},
                                 {.name = "baseline", .run = run_kernel, .context = &k[1]},
                                 {.name = "fftw", .run = run_fftw, .context = &fftw}};
            methods[2].first_call = timed_call(&methods[2], p.x, y_fftw);
            for (int i = 0; i < 2; i++) {
                methods[i].first_call = timed_call(&methods[i], p.x, y_kernel);
                const double e = rel_l2(y_kernel, y_fftw, count);
                if (!(e <= MAX_REL_L2)) {
                    fprintf(stderr, "longconv_bench: L=%ld %s (%s): rel L2 %.2e against FFTW\n", o->l, plan, methods[i].name, e);
                    failed = 1;
                }
            }
            measure(methods, 3, p.x, scratch, o->warmup, o->min_time, o->min_reps);
            double ms[3];
            for (int i = 0; i < 3; i++) ms[i] = median_ms(&methods[i]);
            /* | L | threads | factors | current ms | baseline ms | FFTW ms | current/FFTW | baseline/FFTW | current/baseline | */
            printf("| %ld | %d | %s | %.3f | %.3f | %.3f | %.2f | %.2f | %.2f |\n", o->l, threads, plan, 2 * ms[0], 2 * ms[1],
                   2 * ms[2], ms[0] / ms[2], ms[1] / ms[2], ms[0] / ms[1]);
            fflush(stdout);
            free(k[0].tables);
            free(k[1].tables);
            free(k[0].spectrum);
            free(k[0].scratch);
        }
        free_fftw(&fftw);
    }
    return failed;
}

int main(int argc, char **argv) {
    const options o = parse(argc, argv);
    if (!strcmp(o.command, "weights")) {
        if (!o.output) die("%s", "weights needs -o FILE.safetensors");
        problem p = make_problem(o.h, o.l, o.seed);
        write_safetensors(&p, o.output);
        return 0;
    }
    if (!strcmp(o.command, "time")) {
        if (!fftwf_init_threads()) die("%s", "fftwf_init_threads failed");
        return time_all(&o);
    }
    if (!strcmp(o.command, "kernels")) return time_kernels(&o);
    die("unknown command %s (weights, time or kernels)", o.command);
    return 2;
}
