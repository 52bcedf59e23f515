public import Foundation
import Crypto

/// The mark a released message carries on its way back through Steward, so it is not held
/// again: `X-Steward-Release: <id> <hmac>`, where the HMAC (SHA-256, a secret only this host
/// has) covers the quarantine id and the SHA-256 of the message body. A sender cannot forge it,
/// and it fits no other message. The milter removes the header before delivery.
public struct ReleaseToken: Sendable {
    public static let headerName = "X-Steward-Release"

    /// Kept as bytes (SymmetricKey is not Sendable); the key is made per use.
    private let secret: [UInt8]

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// Reads the secret from `path`, creating it (32 random bytes, mode 0600) if it is missing.
    public static func load(path: String) throws(QuarantineError) -> ReleaseToken {
        let url = URL(fileURLWithPath: path)
        if let data = FileManager.default.contents(atPath: path), data.count >= 32 {
            return ReleaseToken(secret: [UInt8](data))
        }
        var secret = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in secret.indices { secret[index] = UInt8.random(in: 0...255, using: &generator) }
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data(secret), attributes: [.posixPermissions: 0o600]) else {
                throw QuarantineError(code: .cannotOpen, detail: "cannot create the release secret \(path)")
            }
        } catch let error as QuarantineError {
            throw error
        } catch {
            throw QuarantineError(code: .cannotOpen, detail: "cannot create the release secret \(path): \(error)")
        }
        return ReleaseToken(secret: secret)
    }

    /// The header value for releasing message `id` whose body has this SHA-256.
    public func value(id: Int64, bodySHA256: String) -> String {
        "\(id) \(mac(id: id, bodySHA256: bodySHA256))"
    }

    /// The quarantine id if `value` is a genuine mark for a body with this SHA-256.
    public func verify(_ value: String, bodySHA256: String) -> Int64? {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let id = Int64(parts[0]) else { return nil }
        let expected = Array(mac(id: id, bodySHA256: bodySHA256).utf8)
        let given = Array(parts[1].utf8)
        // Constant-time comparison: how far a guess matched must not show in the timing.
        guard expected.count == given.count else { return nil }
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0 ? id : nil
    }

    private func mac(id: Int64, bodySHA256: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array("steward-release:\(id):\(bodySHA256)".utf8), using: SymmetricKey(data: secret))
        return SHA256Hex.hex(code)
    }

    /// SHA-256 of a message's body: the bytes after the first empty line.
    public static func bodySHA256(of message: [UInt8]) -> String {
        SHA256Hex.digest(Array(message[bodyStart(of: message)...]))
    }

    static func bodyStart(of message: [UInt8]) -> Int {
        var index = 0
        while index < message.count {
            if message[index] == 0x0A {
                let next = index + 1
                if next < message.count && message[next] == 0x0A { return next + 1 }
                if next + 1 < message.count && message[next] == 0x0D && message[next + 1] == 0x0A { return next + 2 }
            }
            index += 1
        }
        return message.count
    }
}
