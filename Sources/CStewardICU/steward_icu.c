#include "steward_icu.h"
#include <unicode/uidna.h>
#include <unicode/uspoof.h>

void *steward_spoof_open(void) {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker *checker = uspoof_open(&status);
    if (U_FAILURE(status)) {
        if (checker) uspoof_close(checker);
        return NULL;
    }
    return checker;
}

int32_t steward_spoof_skeleton(const void *checker, const char *text, int32_t length,
                               char *dest, int32_t capacity, int *status) {
    UErrorCode code = U_ZERO_ERROR;
    int32_t written = uspoof_getSkeletonUTF8((const USpoofChecker *)checker, 0, text, length, dest, capacity, &code);
    *status = (int)code;
    return written;
}

void *steward_idna_open(void) {
    UErrorCode status = U_ZERO_ERROR;
    UIDNA *idna = uidna_openUTS46(UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_NONTRANSITIONAL_TO_UNICODE, &status);
    if (U_FAILURE(status)) {
        if (idna) uidna_close(idna);
        return NULL;
    }
    return idna;
}

int32_t steward_idna_to_unicode(const void *idna, const char *name, int32_t length,
                                char *dest, int32_t capacity, uint32_t *errors, int *status) {
    UErrorCode code = U_ZERO_ERROR;
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    int32_t written = uidna_nameToUnicodeUTF8((const UIDNA *)idna, name, length, dest, capacity, &info, &code);
    *errors = info.errors;
    *status = (int)code;
    return written;
}

int steward_icu_buffer_overflow(int status) { return status == U_BUFFER_OVERFLOW_ERROR; }
