#pragma once
#include <mspack.h>
#include <string.h>

// libmspack's decompressors are structs of function pointers; these helpers call them, so the
// Swift side sees two plain functions. libmspack's default I/O system reads and writes real
// files, hence paths.

// SZDD (MS-DOS COMPRESS.EXE, "file.ex_"): decompresses `in` into `out` when its stated length
// is at most `max_bytes`. Returns 0, an MSPACK_ERR_* code, or -1 when too large or out of
// memory. `missing` receives the last character of the original name (0 when unknown).
static inline int steward_szdd_extract(const char *in, const char *out, long max_bytes, char *missing) {
    struct msszdd_decompressor *d = mspack_create_szdd_decompressor(NULL);
    if (d == NULL) return -1;
    struct msszddd_header *h = d->open(d, in);
    int rc;
    if (h == NULL) {
        rc = d->last_error(d);
    } else {
        *missing = h->missing_char;
        rc = (h->length > max_bytes) ? -1 : d->extract(d, h, out);
        d->close(d, h);
    }
    mspack_destroy_szdd_decompressor(d);
    return rc;
}

// KWAJ (the later COMPRESS.EXE format): the same; its stated length may be absent (0), so the
// caller also checks the size of what was written. The header may carry the original file
// name, which EXPAND.EXE restores: it is copied to `name` (empty when absent).
static inline int steward_kwaj_extract(const char *in, const char *out, long max_bytes, char *name, size_t name_size) {
    if (name_size > 0) name[0] = 0;
    struct mskwaj_decompressor *d = mspack_create_kwaj_decompressor(NULL);
    if (d == NULL) return -1;
    struct mskwajd_header *h = d->open(d, in);
    int rc;
    if (h == NULL) {
        rc = d->last_error(d);
    } else {
        if (h->filename != NULL && name_size > 0) {
            strncpy(name, h->filename, name_size - 1);
            name[name_size - 1] = 0;
        }
        rc = (h->length > max_bytes) ? -1 : d->extract(d, h, out);
        d->close(d, h);
    }
    mspack_destroy_kwaj_decompressor(d);
    return rc;
}
