import StewardCore

/// One search over a part's bytes, fed by `WindowedScan` a window at a time.
protocol WindowScanner: AnyObject {
    /// How many bytes past its start a pattern or token may need to be seen whole.
    var lookahead: Int { get }
    /// Reads what starts in `window[..<safeEnd]` (it may look up to `lookahead` bytes further;
    /// `safeEnd` is the whole window when `isLast`). Returns how many bytes it is done with
    /// (the rest starts its next window), or nil when it needs no more.
    func consume(_ window: UnsafeBufferPointer<UInt8>, safeEnd: Int, isLast: Bool) -> Int?
}

/// Reads a part once, window by window (a spooled part from its file, small content as one
/// window), feeding every scanner that applies — the EICAR signature, PDF tokens, OLE names
/// and programs, markup — so a part costs one pass whatever is searched in it.
///
/// The overlap between windows is the largest lookahead; each scanner sees every byte once,
/// from where it stopped, and a pattern of up to its lookahead + 1 bytes is always seen whole,
/// wherever a window boundary falls.
enum WindowedScan {
    static func run(_ content: PartContent, _ scanners: [any WindowScanner]) {
        guard !content.isEmpty, !scanners.isEmpty else { return }
        let overlap = scanners.map(\.lookahead).max() ?? 0
        // Absolute offsets: where the window starts, and where each scanner is.
        var base = 0
        var positions = [Int](repeating: 0, count: scanners.count)
        var active = [Bool](repeating: true, count: scanners.count)
        content.scan(lookahead: overlap) { window, isLast in
            let end = base + window.count
            for (index, scanner) in scanners.enumerated() where active[index] {
                let view = UnsafeBufferPointer(rebasing: window[(positions[index] - base)...])
                let safeEnd = isLast ? view.count : max(0, view.count - scanner.lookahead)
                guard let used = scanner.consume(view, safeEnd: safeEnd, isLast: isLast) else {
                    active[index] = false
                    continue
                }
                // No scanner stays more than its lookahead behind (as `PartContent.scan` keeps it).
                positions[index] = min(end, max(positions[index] + used, end - scanner.lookahead))
            }
            guard let behind = zip(positions, active).filter(\.1).map(\.0).min() else { return nil }
            let used = behind - base
            base += min(window.count, max(used, window.count - overlap, 0))
            return used
        }
    }
}

/// Whether a byte string occurs anywhere in the part.
final class SignatureSearch: WindowScanner {
    let needle: [UInt8]
    private(set) var found = false

    init(_ needle: [UInt8]) {
        self.needle = needle
    }

    var lookahead: Int { max(0, needle.count - 1) }

    func consume(_ window: UnsafeBufferPointer<UInt8>, safeEnd: Int, isLast: Bool) -> Int? {
        if !needle.isEmpty, ByteSearch.contains(needle, in: window) {
            found = true
            return nil
        }
        return safeEnd
    }
}
