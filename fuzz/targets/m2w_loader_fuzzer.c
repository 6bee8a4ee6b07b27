/* libFuzzer target: the .m2w loader of the generated C library (tiny golden model), plus one forward pass
 * whenever a file is accepted. Built by fuzz/build.sh with -fsanitize=fuzzer,address,undefined.
 *
 * The checksum and the model hash gate everything after the fixed header, and random mutation almost never
 * gets past a 64-bit FNV-1a. So the first input byte picks how the rest becomes a weights file:
 *   0: the bytes as they are (magic, version, hash, size and checksum checks);
 *   1: the bytes overlay the start of the valid tiny.m2w, then hash, declared size and checksum are
 *      re-sealed (table parsing, payload bounds, forward on arbitrary weight values);
 *   2: as 1, but the file is cut to the overlay's length first (sections that end early, re-sealed).
 * A forward pass costs ~100x an open, so it runs only for a first byte below 3 (one input in 85). */
#include "tiny.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TINY_M2W_PATH
#error "build with -DTINY_M2W_PATH=\"…/tiny.m2w\" (fuzz/build.sh does)"
#endif

static unsigned char *valid_image;
static size_t valid_size;
static char scratch_path[128];

static uint64_t fnv1a64(const unsigned char *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void put_u64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* The model hash as bytes, from the header's hex string. */
static void model_hash(unsigned char out[32]) {
    const char *hex = TINY_MODEL_HASH;
    for (int i = 0; i < 32; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc; (void)argv;
    FILE *f = fopen(TINY_M2W_PATH, "rb");
    if (!f) { fprintf(stderr, "cannot open %s\n", TINY_M2W_PATH); abort(); }
    fseek(f, 0, SEEK_END);
    valid_size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    valid_image = malloc(valid_size);
    if (!valid_image || fread(valid_image, 1, valid_size, f) != valid_size) abort();
    fclose(f);
    snprintf(scratch_path, sizeof scratch_path, "/dev/shm/m2c-fuzz-m2w-%d.m2w", (int)getpid());
    if (access("/dev/shm", W_OK) != 0) snprintf(scratch_path, sizeof scratch_path, "/tmp/m2c-fuzz-m2w-%d.m2w", (int)getpid());
    return 0;
}

/* Builds the file for `data` per the mode byte; returns its size (the buffer is malloc'd). */
static unsigned char *make_file(const uint8_t *data, size_t size, size_t *out_size) {
    unsigned mode = data[0] % 3;
    const uint8_t *rest = data + 1;
    size_t n = size - 1;
    if (mode == 0) {
        unsigned char *file = malloc(n ? n : 1);
        if (n) memcpy(file, rest, n);
        *out_size = n;
        return file;
    }
    size_t file_size = valid_size;
    if (mode == 2) file_size = n + 8 < 64 ? 64 : n + 8;   /* room for the checksum after the overlay */
    if (file_size > valid_size + 4096) file_size = valid_size + 4096;
    unsigned char *file = calloc(1, file_size);
    memcpy(file, valid_image, file_size < valid_size ? file_size : valid_size);
    memcpy(file, rest, n < file_size ? n : file_size);
    unsigned char hash[32];
    model_hash(hash);
    memcpy(file + 8, hash, 32);
    put_u64(file + 56, file_size);
    put_u64(file + file_size - 8, fnv1a64(file, file_size - 8));
    *out_size = file_size;
    return file;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    size_t file_size = 0;
    unsigned char *file = make_file(data, size, &file_size);
    FILE *f = fopen(scratch_path, "wb");
    if (!f) abort();
    if (file_size && fwrite(file, 1, file_size, f) != file_size) abort();
    fclose(f);
    free(file);

    tiny_model *m = NULL;
    int rc = tiny_open(scratch_path, &m);
    if (rc == TINY_OK) {
        /* A forward on accepted files whose mode byte is 0–2 (a third of them: forwards are slow). */
        if (data[0] < 3) {
            static int32_t ids[TINY_SEQ_LEN];
            for (int i = 0; i < TINY_SEQ_LEN; i++) ids[i] = (int32_t)((i * 37 + (int)size) % TINY_VOCAB);
            static float pooled[TINY_OUT_POOLED_OUTPUT_SIZE];
            tiny_outputs out = {0};
            out.pooled_output = pooled;
            rc = tiny_forward(m, 1, ids, NULL, NULL, &out);
            if (rc != TINY_OK) abort();   /* valid ids and buffers: a failure here is a bug */
        }
    } else if (!tiny_error_string(rc) || !m || !tiny_last_error(m)[0]) {
        abort();   /* every refusal must come with a message */
    }
    tiny_close(m);
    return 0;
}
