import Foundation
import StewardCore

/// Envelope defaults for `check`, taken from the message's own From, To and Cc headers.
/// Deliberately simple: it only fills in what the user did not give on the command line.
struct HeaderAddresses {
    var from: String?
    var recipients: [String] = []
    /// The most of a message's start read for its header block.
    static let headerLimit = 256 * 1024

    init(message: [UInt8]) {
        for (name, value) in Self.headers(message) {
            let addresses = Self.addresses(in: value)
            switch name {
            case "from": if from == nil { from = addresses.first }
            case "to", "cc": recipients.append(contentsOf: addresses)
            default: break
            }
        }
    }

    /// Unfolded top-level headers, names lower-cased.
    private static func headers(_ message: [UInt8]) -> [(String, String)] {
        // CRLF is one Character in Swift: make line ends plain LF before splitting.
        let text = String(decoding: headerBlock(message), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        var result: [(String, String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            if line.first == " " || line.first == "\t" {
                if !result.isEmpty { result[result.count - 1].1 += " " + line.trimmingCharacters(in: .whitespaces) }
            } else if let colon = line.firstIndex(of: ":") {
                result.append((line[..<colon].lowercased(), String(line[line.index(after: colon)...])))
            }
        }
        return result
    }

    /// The bytes up to the first empty line (at most 256 KB).
    private static func headerBlock(_ message: [UInt8]) -> ArraySlice<UInt8> {
        let limit = min(message.count, headerLimit)
        var index = 0
        while index + 1 < limit {
            if message[index] == 0x0A && (message[index + 1] == 0x0A || (message[index + 1] == 0x0D && index + 2 < limit && message[index + 2] == 0x0A)) {
                return message[..<index]
            }
            index += 1
        }
        return message[..<limit]
    }

    /// Addresses in a header value: `<a@b>` forms first, else bare `a@b` words.
    private static func addresses(in value: String) -> [String] {
        var found: [String] = []
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "<"), let close = rest[open...].firstIndex(of: ">") {
            let candidate = rest[rest.index(after: open)..<close]
            if candidate.contains("@") { found.append(EmailAddress.normalize(String(candidate))) }
            rest = rest[rest.index(after: close)...]
        }
        if found.isEmpty {
            found = value.split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" })
                .filter { $0.contains("@") }
                .map { EmailAddress.normalize(String($0.trimmingCharacters(in: CharacterSet(charactersIn: "\"()")))) }
        }
        return found
    }
}
