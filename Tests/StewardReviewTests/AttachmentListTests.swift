import Foundation
import Logging
import StewardCore
import StewardEngine
import StewardInspection
import StewardPolicy
import StewardQuarantine
import StewardTestSupport
import Testing

/// The message page's attachment list comes from what the quarantine stored at hold time: each
/// attachment as inspection saw it, and each finding under the part whose path it records
/// (issue 16), not under every part whose name its words happen to contain.
@Suite struct AttachmentListTests {
    /// Two attachments whose names overlap: "data.exe" contains "a.exe".
    static func message() -> [UInt8] {
        Array("""
            From: billing@partner.example\r
            To: chris.lee@london.union.example\r
            Subject: Two files\r
            Message-ID: <two-files@partner.example>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            Two files.\r
            --b\r
            Content-Type: application/octet-stream\r
            Content-Disposition: attachment; filename="a.exe"\r
            \r
            first\r
            --b\r
            Content-Type: application/octet-stream\r
            Content-Disposition: attachment; filename="data.exe"\r
            \r
            second\r
            --b--\r

            """.utf8)
    }

    @Test func eachFindingIsListedUnderItsOwnPartFromTheStoredVerdict() async throws {
        let harness = try await ReviewHarness()
        let filter = MessageFilter(policy: try PolicyHolder(directory: PackagePaths.policies), store: harness.store, logger: Logger(label: "test"))
        let envelope = Envelope(sender: "billing@partner.example", recipients: ["chris.lee@london.union.example"], clientAddress: "192.0.2.7")
        let decision = await filter.decide(.bytes(Self.message()), envelope: envelope)
        let id = try #require(decision.heldID, "held: \(decision.verdict)")

        // Stored at hold time: both attachments, and each finding's part.
        let stored = try #require(try await harness.store.message(id: id)).verdict
        #expect(stored.parts?.map(\.filename) == ["a.exe", "data.exe"])
        #expect(stored.parts?.map(\.path) == [[2], [3]])
        let risky = stored.findings.filter { $0.rule == "risky-file-name" }
        #expect(Set(risky.compactMap(\.part)) == [[2], [3]], "\(stored.findings)")

        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let page = try await browser.get("/messages/\(id)").text
            let items = page.components(separatedBy: "<li>").filter { $0.contains("<strong>part ") }
            let first = try #require(items.first { $0.contains("<strong>part 2 &quot;a.exe&quot;</strong>") || $0.contains("<strong>part 2 \"a.exe\"</strong>") }, "\(page)")
            let second = try #require(items.first { $0.contains("data.exe") }, "\(page)")
            // Matching the words would list data.exe's finding under a.exe too.
            #expect(first.components(separatedBy: "class=\"reason\"").count - 1 == 1, "\(first)")
            #expect(!first.contains("data.exe"))
            #expect(second.components(separatedBy: "class=\"reason\"").count - 1 == 1, "\(second)")
        }
    }

    @Test func aMessageHeldBeforePartsWereStoredIsStillListed() async throws {
        let harness = try await ReviewHarness()
        // ReviewHarness holds with a hand-made verdict: no parts, findings with no part.
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let page = try await browser.get("/messages/\(harness.londonMessage)").text
            #expect(page.contains("<ul id=\"attachments\">"))
            #expect(page.contains("No attachments."), "the plain sample has none: inspected again, as before")
        }
    }
}
