#pragma once
#include <gmime/gmime.h>

// GObject type checks and casts are macros, which Swift cannot call: these helpers
// check the type and return NULL when the object is not of it.

static inline GMimeMultipart *steward_as_multipart(GMimeObject *object) {
    return (object != NULL && GMIME_IS_MULTIPART(object)) ? GMIME_MULTIPART(object) : NULL;
}

static inline GMimeMessagePart *steward_as_message_part(GMimeObject *object) {
    return (object != NULL && GMIME_IS_MESSAGE_PART(object)) ? GMIME_MESSAGE_PART(object) : NULL;
}

static inline GMimePart *steward_as_part(GMimeObject *object) {
    return (object != NULL && GMIME_IS_PART(object)) ? GMIME_PART(object) : NULL;
}

static inline GMimeObject *steward_message_as_object(GMimeMessage *message) {
    return GMIME_OBJECT(message);
}

static inline GMimeStreamMem *steward_as_stream_mem(GMimeStream *stream) {
    return (stream != NULL && GMIME_IS_STREAM_MEM(stream)) ? GMIME_STREAM_MEM(stream) : NULL;
}

static inline GMimeStreamFilter *steward_as_stream_filter(GMimeStream *stream) {
    return (stream != NULL && GMIME_IS_STREAM_FILTER(stream)) ? GMIME_STREAM_FILTER(stream) : NULL;
}

/// Releases any GObject (GMime streams, parsers, messages, filters).
static inline void steward_unref(void *object) {
    if (object != NULL) g_object_unref(object);
}

static inline InternetAddressMailbox *steward_as_mailbox(InternetAddress *address) {
    return (address != NULL && INTERNET_ADDRESS_IS_MAILBOX(address)) ? INTERNET_ADDRESS_MAILBOX(address) : NULL;
}

static inline InternetAddressGroup *steward_as_group(InternetAddress *address) {
    return (address != NULL && INTERNET_ADDRESS_IS_GROUP(address)) ? INTERNET_ADDRESS_GROUP(address) : NULL;
}

// For composing Steward's own notices.
static inline GMimeObject *steward_text_part_as_object(GMimeTextPart *part) {
    return GMIME_OBJECT(part);
}
