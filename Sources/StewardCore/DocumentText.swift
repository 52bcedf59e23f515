/// The readable text of a document, in pieces that each say where in the document they stand,
/// so a finding can tell an official "sheet "2027", cell B1" or "the header" rather than just
/// "somewhere in budget.xlsx".
public struct DocumentText: Sendable, Hashable {
    /// The pieces in document order.
    public var segments: [Segment]

    public init(segments: [Segment] = []) {
        self.segments = segments
    }

    /// One piece of text and its place.
    public struct Segment: Sendable, Hashable {
        /// What kind of place the text comes from; markers in headers, footers and labels are
        /// markings by their position alone.
        public var kind: Kind
        /// Where, in plain words (`sheet "2027", cell B1`, `page 3`, `property "Classification"`);
        /// empty for the running text of a document.
        public var location: String {
            get { reference.isEmpty ? place : place + reference }
            set { place = newValue; reference = "" }
        }
        public var text: String
        /// The location in two parts: a sheet's cells share one `place` string
        /// (`sheet "2027", cell `) and keep only their short reference (`B1`), so a sheet of a
        /// million cells does not hold a million location strings.
        private var place: String
        private var reference: String

        public init(kind: Kind, location: String = "", text: String) {
            self.kind = kind
            self.place = location
            self.reference = ""
            self.text = text
        }

        /// A piece whose location is `place` followed by `reference`.
        public init(kind: Kind, place: String, reference: String, text: String) {
            self.kind = kind
            self.place = place
            self.reference = reference
            self.text = text
        }

        /// The same piece in another place, its reference kept: a sheet's cells read before
        /// the sheet's name was known.
        public mutating func replacePlace(with place: String) {
            self.place = place
        }

        public static func == (lhs: Segment, rhs: Segment) -> Bool {
            lhs.kind == rhs.kind && lhs.text == rhs.text && lhs.location == rhs.location
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(kind)
            hasher.combine(text)
            hasher.combine(location)
        }
    }

    public enum Kind: String, Sendable, Hashable, Codable {
        /// Running text (paragraphs, slides, pages, an HTML body).
        case body
        /// A spreadsheet cell (its text stands on its own, like a line).
        case cell
        /// A page header or footer.
        case headerFooter
        /// A document property (title, subject, keywords, description, custom properties).
        case property
        /// A classification or sensitivity label (a custom property such as `Classification`,
        /// or a Microsoft sensitivity label's name).
        case label
    }

    /// All the text, pieces separated by line ends.
    public var joined: String {
        // Copied byte for byte into one buffer: no array of every piece's text on the way (a
        // large workbook has hundreds of thousands), and none of `append`'s per-call work,
        // which cost more than the copying.
        let length = segments.reduce(0) { $0 + $1.text.utf8.count + 1 }
        guard length > 1 else { return segments.first?.text ?? "" }
        return String(unsafeUninitializedCapacity: length - 1) { buffer in
            var offset = 0
            for (index, segment) in segments.enumerated() {
                if index > 0 {
                    buffer[offset] = 0x0A
                    offset += 1
                }
                offset += Self.copyUTF8(of: segment.text, into: UnsafeMutableBufferPointer(rebasing: buffer[offset...]))
            }
            return offset
        }
    }

    private static func copyUTF8(of text: String, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        if let copied = text.utf8.withContiguousStorageIfAvailable({ bytes in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(bytes))
            return bytes.count
        }) {
            return copied
        }
        // A bridged or lazily stored string: byte by byte.
        return buffer.initialize(from: text.utf8).1
    }

    public var isEmpty: Bool { segments.allSatisfy { $0.text.isEmpty } }
}
