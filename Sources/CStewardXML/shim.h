#pragma once
#include <libxml/xmlversion.h>
// Debian's libxml2 is built with ICU, and its encoding.h then includes ICU headers whose types
// clash with the ICU copy inside Swift's Foundation. Steward never touches the encoding
// handler structs whose layout this changes (it only passes document and node pointers), so
// the ICU part of the headers is left out.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>

/// xmlFree is a global function pointer in libxml2, which Swift cannot call directly.
static inline void steward_xml_free(void *p) { if (p) xmlFree(p); }
