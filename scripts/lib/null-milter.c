/* A milter that does nothing: scripts/bench's floor. It asks for what Steward asks for (the
 * envelope, the headers and the whole body) and answers "continue" to everything, so the
 * difference between it and Postfix alone is what any libmilter milter pays, and Steward's own
 * cost is what it adds on top. Built by scripts/bench against Debian's libmilter.
 *   null-milter unix:/path/to/socket */
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <stdlib.h>

static sfsistat keep_going(SMFICTX *ctx) { (void)ctx; return SMFIS_CONTINUE; }
static sfsistat on_envelope(SMFICTX *ctx, char **argv) { (void)argv; return keep_going(ctx); }
static sfsistat on_header(SMFICTX *ctx, char *name, char *value) { (void)name; (void)value; return keep_going(ctx); }
static sfsistat on_body(SMFICTX *ctx, unsigned char *chunk, size_t size) { (void)chunk; (void)size; return keep_going(ctx); }

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: null-milter SOCKET\n"); return 2; }
    struct smfiDesc desc = {
        .xxfi_name = "null-milter", .xxfi_version = SMFI_VERSION, .xxfi_flags = 0,
        .xxfi_envfrom = on_envelope, .xxfi_envrcpt = on_envelope, .xxfi_header = on_header,
        .xxfi_eoh = keep_going, .xxfi_body = on_body, .xxfi_eom = keep_going,
    };
    if (smfi_setconn(argv[1]) == MI_FAILURE || smfi_register(desc) == MI_FAILURE) return 1;
    if (smfi_opensocket(1) == MI_FAILURE) return 1;
    return smfi_main() == MI_SUCCESS ? 0 : 1;
}
