/*
 * c-app: runs an m2c-generated M2-BERT library on one batch of token ids and prints one output.
 *
 *   c-app WEIGHTS.m2w [-n RUNS] [-t THREADS] [TOKEN_ID ...]
 *
 * The model is chosen at build time (see Makefile): MODEL is the library name (tiny, m2_bert_base, ...) and
 * OUTPUT the output printed. The batch has two items: the tokens as given (or a fixed sentence-like sequence)
 * and the same tokens in reverse order, each padded with id 0 to the model's sequence length, with an
 * attention mask that is 1 on the tokens and 0 on the padding.
 *
 * It assumes the input signature of BERT-style models (input_ids, token_type_ids, attention_mask), which every
 * `m2c import`ed checkpoint and examples/m2-bert-*.m2 have; nothing else about the model is hard-coded.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include MODEL_HEADER

/* Names in the generated API are the model name pasted to a suffix: API(_open) is tiny_open for MODEL=tiny. */
#define PASTE_(a, b) a##b
#define PASTE(a, b) PASTE_(a, b)
#define STRING_(x) #x
#define STRING(x) STRING_(x)
#define API(suffix) PASTE(MODEL, suffix)
#define CONSTANT(suffix) PASTE(MODEL_UPPER, suffix)

#define SEQ_LEN CONSTANT(_SEQ_LEN)
#define OUTPUT_SIZE PASTE(CONSTANT(_OUT_), PASTE(OUTPUT_UPPER, _SIZE))
#define BATCH 2
#define VALUES_PRINTED 8

/* Sentence-like BERT ids: [CLS]=101 ... [SEP]=102. Small test models have smaller vocabularies; there the
 * ids are wrapped into the table (MODEL_VOCAB, set by the Makefile when the header defines the vocabulary size)
 * so the default run always works; ids given on the command line are passed as they are. */
static const int32_t default_tokens[] = {101, 1996, 8254, 15299, 2944, 2003, 3435, 1998, 2235, 1012, 102};

static int parse_int(const char *text, const char *what, long min, long max, long *value) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
        fprintf(stderr, "c-app: %s must be an integer in [%ld, %ld], got '%s'\n", what, min, max, text);
        return 0;
    }
    *value = v;
    return 1;
}

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Reports a failed call: the code's description and the handle's detail message. */
static int fail(const char *call, int rc, const API(_model) *m) {
    fprintf(stderr, "c-app: %s failed: %s (%s)\n", call, API(_error_string)(rc), API(_last_error)(m));
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s WEIGHTS.m2w [-n RUNS] [-t THREADS] [TOKEN_ID ...]\n", argv[0]);
        return 2;
    }
    const char *weights = argv[1];
    long runs = 10, threads = 0;
    int32_t tokens[SEQ_LEN];
    int count = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-t") == 0) {
            int is_runs = argv[i][1] == 'n';
            if (i + 1 == argc) { fprintf(stderr, "c-app: %s needs a value\n", argv[i]); return 2; }
            if (!parse_int(argv[++i], is_runs ? "-n" : "-t", 1, 1000000, is_runs ? &runs : &threads)) return 2;
            continue;
        }
        long id;
        if (count == SEQ_LEN) { fprintf(stderr, "c-app: more than %d token ids\n", SEQ_LEN); return 2; }
        if (!parse_int(argv[i], "a token id", INT32_MIN, INT32_MAX, &id)) return 2;
        tokens[count++] = (int32_t)id;
    }
    if (count == 0) {
        for (size_t i = 0; i < sizeof default_tokens / sizeof default_tokens[0] && count < SEQ_LEN; i++) {
#ifdef MODEL_VOCAB
            tokens[count++] = default_tokens[i] % MODEL_VOCAB;
#else
            tokens[count++] = default_tokens[i];
#endif
        }
    }

    /* Inputs are [batch][SEQ_LEN] row-major: item 0 the tokens, item 1 the tokens reversed; 0-padded. */
    static int32_t input_ids[BATCH][SEQ_LEN], attention_mask[BATCH][SEQ_LEN];
    for (int t = 0; t < count; t++) {
        input_ids[0][t] = tokens[t];
        input_ids[1][t] = tokens[count - 1 - t];
        attention_mask[0][t] = attention_mask[1][t] = 1;
    }

    API(_model) *m = NULL;
    int rc = API(_open)(weights, &m);
    if (rc != CONSTANT(_OK)) {
        fail("open", rc, m);
        API(_close)(m); /* a failed open may still return a handle (it holds the detail message) */
        return 1;
    }
    if (threads > 0 && (rc = API(_set_num_threads)(m, (int)threads)) != CONSTANT(_OK)) {
        fail("set_num_threads", rc, m);
        API(_close)(m);
        return 1;
    }

    /* Only the printed output is requested: every other field stays NULL and is not computed into memory. */
    float *values = malloc(sizeof(float) * BATCH * OUTPUT_SIZE);
    if (values == NULL) { fprintf(stderr, "c-app: out of memory\n"); API(_close)(m); return 1; }
    API(_outputs) outputs;
    memset(&outputs, 0, sizeof outputs);
    outputs.OUTPUT = values;

    /* One warm-up forward (it sizes the activation arena), then the timed ones. */
    double start = 0;
    for (long run = 0; run <= runs; run++) {
        if (run == 1) start = seconds_now();
        rc = API(_forward)(m, BATCH, &input_ids[0][0], NULL, &attention_mask[0][0], &outputs);
        if (rc != CONSTANT(_OK)) {
            fail("forward", rc, m);
            free(values);
            API(_close)(m);
            return 1;
        }
    }
    double per_forward = (seconds_now() - start) / (double)runs;

    printf("model %s, seq_len %d, batch %d, %d token(s)\n", STRING(MODEL), SEQ_LEN, BATCH, count);
    for (int b = 0; b < BATCH; b++) {
        int shown = OUTPUT_SIZE < VALUES_PRINTED ? OUTPUT_SIZE : VALUES_PRINTED;
        printf("%s[%d][0:%d]:", STRING(OUTPUT), b, shown);
        for (int i = 0; i < shown; i++) printf(" %.9g", values[(size_t)b * OUTPUT_SIZE + i]);
        printf("\n");
    }
    printf("forward: %.3f ms per batch of %d (mean of %ld runs after 1 warm-up)\n", 1e3 * per_forward, BATCH, runs);

    free(values);
    API(_close)(m);
    return 0;
}
