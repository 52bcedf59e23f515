import Foundation
import StewardQuarantine
import Testing

@Suite struct ReleaseTokenTests {
    static let stored = Array("Received: from x\r\nFrom: <a@partner.example>\r\nSubject: Minutes\r\n\r\nhello\r\n".utf8)
    static let token = ReleaseToken(secret: Array(repeating: 7, count: 32))
    static let recipients = ["b@london.union.example", "c@london.union.example"]

    static func marked(_ message: [UInt8] = stored, id: Int64 = 42) -> [UInt8] {
        token.markLine(id: id, message: stored, sender: "a@partner.example", recipients: recipients) + message
    }

    @Test func aMarkFitsItsMessageSenderAndRecipients() {
        let message = Self.marked()
        #expect(Self.token.verify(message, sender: "a@partner.example", recipients: Self.recipients) == 42)
        // The MTA's own trace above the mark, recipients in another order or case: still the same.
        let traced = Array("Received: from localhost by mail.union.example\r\n".utf8) + message
        #expect(Self.token.verify(traced, sender: "<A@partner.example>", recipients: Self.recipients.reversed().map { $0.uppercased() }) == 42)
    }

    @Test func aMarkFitsNoOtherMessageSenderOrRecipient() {
        let token = Self.token
        let message = Self.marked()
        let changedHeader = Self.marked(Array(String(decoding: Self.stored, as: UTF8.self).replacingOccurrences(of: "Minutes", with: "Invoice").utf8))
        #expect(token.verify(changedHeader, sender: "a@partner.example", recipients: Self.recipients) == nil)
        let changedBody = Self.marked(Array(String(decoding: Self.stored, as: UTF8.self).replacingOccurrences(of: "hello", with: "hullo").utf8))
        #expect(token.verify(changedBody, sender: "a@partner.example", recipients: Self.recipients) == nil)
        let addedHeader = Self.marked(Array("Bcc: x@elsewhere.example\r\n".utf8) + Self.stored)
        #expect(token.verify(addedHeader, sender: "a@partner.example", recipients: Self.recipients) == nil)
        let aboveTheMark = Array("Reply-To: <x@attacker.example>\r\n".utf8) + message
        #expect(token.verify(aboveTheMark, sender: "a@partner.example", recipients: Self.recipients) == nil)
        #expect(token.verify(message, sender: "m@attacker.example", recipients: Self.recipients) == nil)
        #expect(token.verify(message, sender: "a@partner.example", recipients: Self.recipients + ["x@elsewhere.example"]) == nil)
        #expect(token.verify(message, sender: "a@partner.example", recipients: [Self.recipients[0]]) == nil)
        #expect(ReleaseToken(secret: Array(repeating: 8, count: 32)).verify(message, sender: "a@partner.example", recipients: Self.recipients) == nil)
        let otherID = Array(String(decoding: message, as: UTF8.self).replacingOccurrences(of: "Release: 42 ", with: "Release: 43 ").utf8)
        #expect(token.verify(otherID, sender: "a@partner.example", recipients: Self.recipients) == nil)
        #expect(token.verify(Self.stored, sender: "a@partner.example", recipients: Self.recipients) == nil)
    }

    @Test func refoldingAndLineEndsInTransitDoNotSpoilAGenuineMark() {
        let refolded = Array(
            String(decoding: Self.marked(), as: UTF8.self).replacingOccurrences(of: "Subject: Minutes", with: "Subject:\r\n\tMinutes")
                .replacingOccurrences(of: "\r\n", with: "\n").utf8)
        #expect(Self.token.verify(refolded, sender: "a@partner.example", recipients: Self.recipients) == 42)
    }

    @Test func theSecretIsCreatedOnceWithOwnerOnlyPermissions() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("steward-key-\(UUID().uuidString)/release.key").path
        let previous = umask(0o022)
        defer { umask(previous) }
        let first = try ReleaseToken.load(path: path)
        let second = try ReleaseToken.load(path: path)
        let message = first.markLine(id: 1, message: Self.stored, sender: "", recipients: ["b@x.example"]) + Self.stored
        #expect(second.verify(message, sender: "", recipients: ["b@x.example"]) == 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}
