import Foundation
import Hummingbird
import HummingbirdTesting
import StewardEngine
import StewardQuarantine
import StewardReview
import Testing

/// Clause 14: content only with a reason, on the audit trail; and a hostile HTML body never
/// reaches the browser unsanitized, nor loads anything remote.
@Suite struct ContentTests {
    static let hostile = """
        From: billing@partner.example\r
        To: chris.lee@london.union.example\r
        Subject: Hostile\r
        MIME-Version: 1.0\r
        Content-Type: multipart/alternative; boundary="b"\r
        \r
        --b\r
        Content-Type: text/plain; charset=utf-8\r
        \r
        Plain <script>alert(1)</script> text\r
        --b\r
        Content-Type: text/html; charset=utf-8\r
        \r
        <html><head><style>body { background: url(https://tracker.example/bg.png) }</style>\r
        <script>alert('x')</script><base href="https://evil.example/"></head>\r
        <body onload="steal()"><p style="color: red; background-image: url('https://tracker.example/p.png')">Pay now</p>\r
        <img src="https://tracker.example/pixel.gif" onerror="steal()"><img src="data:image/png;base64,iVBORw0KGgo=">\r
        <a href="javascript:steal()">link</a><iframe src="https://evil.example/"></iframe>\r
        <form action="https://evil.example/"><input name="password"></form><svg onload="steal()"></svg></body></html>\r
        --b--\r

        """

    @Test func contentNeedsAReasonIsAuditedAndHostileHTMLIsSanitized() async throws {
        let harness = try await ReviewHarness()
        let id = try await ReviewHarness.hold(
            harness.store, to: "chris.lee@london.union.example", branch: "london", subject: "Hostile", raw: Array(Self.hostile.utf8))
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/messages/\(id)")
            #expect(try await browser.get("/messages/\(id)/content/2").status == .forbidden, "no frame before show content")
            let noReason = try await browser.post("/messages/\(id)/content", ["reason": " "])
            #expect(noReason.status == .seeOther)
            #expect(try await harness.store.auditTrail(messageID: id).map(\.entry.action) == [.hold])

            let page = try await browser.post("/messages/\(id)/content", ["reason": "member asked whether it was genuine"])
            #expect(page.status == .ok)
            #expect(page.text.contains("Plain &lt;script&gt;alert(1)&lt;/script&gt; text"), "text is escaped")
            #expect(!page.text.contains("<script"))
            #expect(page.text.contains("sandbox src=\"/messages/\(id)/content/"))
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("default-src 'none'"))
            #expect(policy.contains("frame-src 'self'"))
            let src = try #require(page.text.range(of: "src=\"/messages/\(id)/content/").map {
                String(page.text[$0.lowerBound...].dropFirst(5).prefix { $0 != "\"" })
            })
            let frame = try await browser.get(src)
            #expect(frame.status == .ok)
            #expect(frame.headers[.contentSecurityPolicy] == "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox")
            let html = frame.text.lowercased()
            #expect(html.contains("pay now"))
            for bad in ["<script", "onload", "onerror", "javascript:", "tracker.example", "evil.example", "url(", "<iframe", "<form", "<base"] {
                #expect(!html.contains(bad), "\(bad) removed")
            }
        }
        let view = try #require(try await harness.store.auditTrail(messageID: id).last)
        #expect(view.entry.action == .view)
        #expect(view.entry.actor == ReviewHarness.london)
        #expect(view.entry.reason == "member asked whether it was genuine")
    }

    @Test func theFrameNeedsARecentContentViewOfThatMessage() async throws {
        let harness = try await ReviewHarness()
        let id = try await ReviewHarness.hold(
            harness.store, to: "chris.lee@london.union.example", branch: "london", subject: "Hostile", raw: Array(Self.hostile.utf8))
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/messages/\(id)")
            try await browser.post("/messages/\(id)/content", ["reason": "check"])
            #expect(try await browser.get("/messages/\(id)/content/2").status == .ok)
            #expect(try await browser.get("/messages/\(id)/content/1").status == .notFound, "the plain part is not a frame")
            harness.advance(minutes: 11)
            #expect(try await browser.get("/messages/\(id)/content/2").status == .forbidden, "the grant lasts 10 minutes")
            // Another official of the same branch has not opened it.
            let other = Browser(client)
            try await other.signIn(ReviewHarness.admin)
            #expect(try await other.get("/messages/\(id)/content/2").status == .forbidden)
        }
    }
}
