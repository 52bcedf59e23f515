#pragma once
#include <poppler.h>

/// g_object_unref for any poppler object (a macro-free, typed entry point for Swift).
static inline void steward_poppler_unref(void *object) { if (object) g_object_unref(object); }
