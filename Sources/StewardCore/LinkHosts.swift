/// Host names of the links in a message's text (`https://host/...`, `www.host`, `mailto:a@host`),
/// for rules about where a link really goes. Found once per message, at inspection.
public enum LinkHosts {
    /// Cores of the link starts `hostStart` matches without regard to case: `www.` in any case,
    /// `mailto:` in lower, upper or capitalised case ("Mailto:"), so the quick check does not
    /// skip a text for its capitals.
    private static let markers: [[UInt8]] = ["://", "ww.", "WW.", "Ww.", "wW.", "ailto:", "AILTO:"].map { Array($0.utf8) }

    /// Hosts linked from every text part of the tree, lower-cased, in order of first mention.
    public static func hosts(in root: MessagePart) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for part in root.allParts {
            guard let text = part.text else { continue }
            for host in hosts(in: text) where seen.insert(host).inserted { result.append(host) }
        }
        return result
    }

    /// Hosts linked from one text. Plain text without a link marker costs one memmem per marker.
    public static func hosts(in text: String) -> [String] {
        guard markers.contains(where: { ByteSearch.contains($0, in: text) }) else { return [] }
        let bytes = Array(text.utf8)
        var hosts: [String] = []
        var index = 0
        while index < bytes.count {
            if let start = hostStart(bytes, at: index) {
                var end = start
                while end < bytes.count, isHostByte(bytes[end]) { end += 1 }
                var host = String(decoding: bytes[start..<end], as: UTF8.self).lowercased()
                if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }  // user@host
                while host.hasSuffix(".") || host.hasSuffix("-") { host.removeLast() }
                if host.contains("."), !hosts.contains(host) { hosts.append(host) }
                index = max(end, index + 1)
            } else {
                index += 1
            }
        }
        return hosts
    }

    /// Where a host name starts if a link starts at `index`.
    private static func hostStart(_ bytes: [UInt8], at index: Int) -> Int? {
        func matches(_ word: String) -> Bool {
            let word = Array(word.utf8)
            guard index + word.count <= bytes.count else { return false }
            for (offset, byte) in word.enumerated() where bytes[index + offset] | 0x20 != byte | 0x20 { return false }
            return true
        }
        if matches("://") { return index + 3 }
        if matches("mailto:") { return index + 7 }
        if matches("www."), index == 0 || !isHostByte(bytes[index - 1]) { return index }
        return nil
    }

    /// Bytes of a host name (and of `user@` before it): ASCII letters, digits, `.-_@`, and any
    /// non-ASCII byte, so Unicode (IDN) hosts are kept whole for the lookalike checks.
    private static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: "@"):
            true
        default:
            byte >= 0x80
        }
    }
}
