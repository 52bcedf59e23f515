/// Something inspection noticed inside a part's content that rules may care about: the part
/// cannot be looked into (encrypted), or it carries code that runs when opened (macros,
/// scripts). Found once per message during inspection; detection families only read them.
public struct ContentMarker: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// Password-protected archive, archive member, Office document or PDF.
        case encrypted
        /// Office macros: an OLE2 `_VBA_PROJECT` storage or an OOXML `vbaProject.bin`.
        case officeMacros
        /// An Office document carrying a program as an embedded object (OLE package), run by a
        /// double click on its icon.
        case officeEmbeddedProgram
        /// A PDF with `/JavaScript` or `/JS`.
        case pdfJavaScript
        /// A PDF with a `/Launch` action (runs a program).
        case pdfLaunch
        /// A PDF carrying an embedded file whose name is that of a program or script.
        case pdfEmbeddedProgram
        /// An HTML or SVG file with script (`<script>`, `on…=` handlers, `javascript:` links).
        case markupScript
        /// The EICAR anti-virus test signature somewhere in the bytes (searched here, in
        /// windows, so that rules need not read a spooled part's file).
        case eicar
        /// An HTML or SVG file with a form that sends what is typed into it to another site.
        case markupExternalForm
    }

    /// The standard EICAR test file, 68 bytes.
    public static let eicarSignature: [UInt8] = Array(
        #"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#.utf8
    )

    public var kind: Kind
    /// Plain words: what exactly was seen (`zip archive`, `form posting to https://…`).
    public var detail: String

    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }
}
