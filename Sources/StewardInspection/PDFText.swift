import CStewardPoppler
import StewardCore

/// The text of a PDF, page by page, and its title, subject and keywords, read with poppler
/// (the library behind `pdftotext`): a real extractor, because PDF text sits in compressed
/// streams and font encodings that no byte search can see.
enum PDFText {
    /// Pages read at most: a bound on the cost of one attachment.
    static let maxPages = 2000

    static func extract(_ bytes: [UInt8]) -> DocumentText? {
        guard !bytes.isEmpty else { return nil }
        // poppler reads the caller's bytes where they are (no second copy of the PDF): the
        // document and the GBytes over them are freed before `withUnsafeBytes` returns.
        return bytes.withUnsafeBytes { raw in
            let data = g_bytes_new_static(raw.baseAddress, gsize(raw.count))
            defer { g_bytes_unref(data) }
            return extract(data)
        }
    }

    private static func extract(_ data: OpaquePointer?) -> DocumentText? {
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(data, nil, &error) else {
            if let error { g_error_free(error) }
            return nil  // encrypted with a password, or not a readable PDF
        }
        defer { steward_poppler_unref(UnsafeMutableRawPointer(document)) }

        var segments: [DocumentText.Segment] = []
        let pages = min(Int(poppler_document_get_n_pages(document)), maxPages)
        for index in 0..<pages {
            guard let page = poppler_document_get_page(document, Int32(index)) else { continue }
            defer { steward_poppler_unref(UnsafeMutableRawPointer(page)) }
            guard let raw = poppler_page_get_text(page) else { continue }
            defer { g_free(raw) }
            segments.append(DocumentText.Segment(kind: .body, location: "page \(index + 1)", text: String(cString: raw)))
        }
        let properties: [(String, (OpaquePointer?) -> UnsafeMutablePointer<gchar>?)] = [
            ("title", { poppler_document_get_title($0) }),
            ("subject", { poppler_document_get_subject($0) }),
            ("keywords", { poppler_document_get_keywords($0) }),
        ]
        for (name, getter) in properties {
            guard let raw = getter(document) else { continue }
            defer { g_free(raw) }
            segments.append(DocumentText.Segment(kind: .property, location: "property \"\(name)\"", text: String(cString: raw)))
        }
        return DocumentText(segments: segments)
    }
}
