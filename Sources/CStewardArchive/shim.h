#pragma once
#include <archive.h>
#include <archive_entry.h>

// AE_IFREG is a cast macro, which Swift does not import.
static inline int steward_archive_entry_is_regular(struct archive_entry *entry) {
    return archive_entry_filetype(entry) == AE_IFREG;
}

// zlib for PDF FlateDecode streams; libarchive reads only whole-file formats.
#include <zlib.h>

// inflateInit is a macro, which Swift does not import.
static inline int steward_inflate_init(z_stream *stream) {
    return inflateInit(stream);
}
