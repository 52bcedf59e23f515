import StewardCore

/// A part that a reader needs whole in memory (its text, a document's text, a TNEF file) is
/// larger than `maxWholePartBytes`. Not read, and reported, so the message is held as "could
/// not be fully inspected" rather than passed with that part unread.
struct WholePartTooLarge: Error {
    /// What was not read: `its text`, `its text as a PDF`.
    var what: String

    func limit(at part: MessagePart, limits: InspectionLimits) -> LimitReached {
        LimitReached(
            kind: .bytes,
            detail: "\(part.displayPath) holds \(part.content.count) bytes, more than can be read whole "
                + "(limit maxWholePartBytes \(limits.maxWholePartBytes)); \(what) was not read"
        )
    }
}
