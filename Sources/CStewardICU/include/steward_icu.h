#pragma once
#include <stdint.h>

// ICU behind plain C types. Swift cannot import ICU's own headers next to Foundation, whose
// bundled ICU (_FoundationICU) defines the same enums differently, and ICU renames every
// function with its version through macros; so only this file's functions are visible.
// Status: 0 success, negative a warning, positive an error (ICU's UErrorCode values).

/// An opened spoof checker (UTS #39), or NULL. Thread-safe for skeletons once opened.
void *steward_spoof_open(void);

/// Skeleton of UTF-8 text into dest; returns its length (more than capacity: call again bigger).
int32_t steward_spoof_skeleton(const void *checker, const char *text, int32_t length,
                               char *dest, int32_t capacity, int *status);

/// An opened UTS #46 IDNA processor (nontransitional), or NULL. Thread-safe once opened.
void *steward_idna_open(void);

/// A domain name with xn-- labels decoded to Unicode; `errors` gets the UIDNA_ERROR_* bits.
int32_t steward_idna_to_unicode(const void *idna, const char *name, int32_t length,
                                char *dest, int32_t capacity, uint32_t *errors, int *status);

/// Whether a status says the destination buffer was too small.
int steward_icu_buffer_overflow(int status);
