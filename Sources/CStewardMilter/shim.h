#pragma once
#include <sys/types.h>
#include <sys/socket.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>

/* libmilter's API takes `char *` for strings it only reads; these take `const char *` so Swift
   strings pass without casts, and expose macros Swift cannot import. */

static inline int steward_smfi_version(void) { return SMFI_VERSION; }

static inline char *steward_getsymval(SMFICTX *ctx, const char *name) {
    return smfi_getsymval(ctx, (char *)name);
}

static inline int steward_setreply(SMFICTX *ctx, const char *code, const char *status, const char *text) {
    return smfi_setreply(ctx, (char *)code, (char *)status, (char *)text);
}

static inline int steward_addheader(SMFICTX *ctx, const char *name, const char *value) {
    return smfi_addheader(ctx, (char *)name, (char *)value);
}

static inline int steward_setsymlist(SMFICTX *ctx, int stage, const char *macros) {
    return smfi_setsymlist(ctx, stage, (char *)macros);
}

static inline int steward_setconn(const char *conn) {
    return smfi_setconn((char *)conn);
}

static inline int steward_chgheader(SMFICTX *ctx, const char *name, int index, const char *value) {
    return smfi_chgheader(ctx, (char *)name, index, (char *)value);
}
