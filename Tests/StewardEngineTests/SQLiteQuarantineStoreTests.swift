import Foundation
import StewardCore
import StewardQuarantine
import Testing

@Suite struct SQLiteQuarantineStoreTests {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("steward-store-\(UUID().uuidString)/quarantine.sqlite").path

    @Test func aHeldMessageKeepsItsBytesEnvelopeVerdictAndDigest() async throws {
        let store = try SQLiteQuarantineStore(path: path)
        var raw = Array("Received: from x\r\nSubject: test\r\n\r\n".utf8)
        raw += (0...255).map { UInt8($0) }  // every byte value survives
        let envelope = Envelope(
            sender: "a@example.org", recipients: ["b@london.union.example", "c@union.example"],
            authUser: nil, clientAddress: "192.0.2.1", clientName: "mx.example.org", queueID: "4XYZ")
        let finding = Finding(
            kind: "unsafe-attachment", rule: "eicar-test-signature", clause: "10(f)(viii)",
            detail: "part 2 \"eicar.com\": the EICAR anti-virus test signature", branch: "london", action: .quarantine)
        let verdict = Verdict(action: .quarantine, direction: .incoming, branches: ["london"], findings: [finding])

        let id = try await store.hold(NewHold(envelope: envelope, verdict: verdict, raw: raw))

        let reopened = try SQLiteQuarantineStore(path: path)  // committed, visible to a new reader
        let held = try await #require(try reopened.message(id: id))
        #expect(held.envelope == envelope)
        #expect(held.verdict == verdict)
        #expect(held.size == raw.count)
        #expect(held.state == .held)
        await #expect(try reopened.raw(id: id) == raw)
        // SHA-256 of the bytes, checked against coreutils' sha256sum.
        let file = URL(fileURLWithPath: path + ".raw")
        try Data(raw).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(held.sha256 == String(expected))
    }

    @Test func listIsNewestFirst() async throws {
        let store = try SQLiteQuarantineStore(path: path)
        let verdict = Verdict(action: .quarantine, direction: .internal, branches: ["london"], findings: [])
        let first = try await store.hold(NewHold(envelope: Envelope(sender: "1@union.example"), verdict: verdict, raw: [1]))
        let second = try await store.hold(NewHold(envelope: Envelope(sender: "2@union.example"), verdict: verdict, raw: [2]))
        #expect(try await store.list(limit: 10).map(\.id) == [second, first])
        #expect(try await store.list(limit: 1).map(\.envelope.sender) == ["2@union.example"])
    }

    @Test func anUnusablePathIsAClearError() {
        #expect(throws: QuarantineError.self) {
            _ = try SQLiteQuarantineStore(path: "/proc/steward/quarantine.sqlite")
        }
    }
}
