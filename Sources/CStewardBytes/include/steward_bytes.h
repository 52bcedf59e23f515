#pragma once
#include <stddef.h>

/* glibc's memmem, which Swift's Glibc module does not import (it is a GNU extension). */
const void *steward_memmem(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);
