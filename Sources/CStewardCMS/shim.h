#pragma once
#include <stdlib.h>
#include <string.h>
#include <openssl/cms.h>
#include <openssl/objects.h>

// The content of an opaque S/MIME signed message (CMS SignedData, DER): a signature is not
// encryption, so what was signed is there to read. The signature itself is not checked —
// Steward inspects the content, it does not vouch for the signer. Returns a malloc'd copy of
// the content (free it), or NULL when `der` is not SignedData with embedded content or the
// content is larger than `max_bytes`.
static inline unsigned char *steward_cms_signed_content(const unsigned char *der, long length, long max_bytes, long *content_length) {
    const unsigned char *cursor = der;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &cursor, length);
    if (cms == NULL) return NULL;
    unsigned char *copy = NULL;
    if (OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_signed) {
        ASN1_OCTET_STRING **content = CMS_get0_content(cms);
        if (content != NULL && *content != NULL) {
            int size = ASN1_STRING_length(*content);
            if (size > 0 && size <= max_bytes && (copy = malloc((size_t)size)) != NULL) {
                memcpy(copy, ASN1_STRING_get0_data(*content), (size_t)size);
                *content_length = size;
            }
        }
    }
    CMS_ContentInfo_free(cms);
    return copy;
}
