import Foundation
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardReview
import StewardTestSupport
import Testing

/// Issue 15's daily work in the review app: bulk decisions, downloading a held message, release
/// and allow, paging, local times, per-rule release rates. Each new action is also attacked:
/// without the CSRF token, by the wrong person, on another branch's message.
@Suite struct DailyWorkTests {
    static func holdLondon(_ harness: ReviewHarness, count: Int, to recipient: String = "chris.lee@london.union.example") async throws -> [Int64] {
        var ids: [Int64] = []
        for index in 0..<count { ids.append(try await ReviewHarness.hold(harness.store, to: recipient, branch: "london", subject: "Bulk \(index)")) }
        return ids
    }

    // MARK: bulk release and refuse

    @Test func bulkReleaseDecidesEachMessageOnItsOwnAndAuditsEach() async throws {
        let harness = try await ReviewHarness()
        let ids = [harness.londonMessage] + (try await Self.holdLondon(harness, count: 2))
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let queue = try await browser.get("/")
            for id in ids { #expect(queue.text.contains("id=\"pick-\(id)\" name=\"ids[]\" value=\"\(id)\"")) }
            #expect(!queue.text.contains("id=\"pick-\(harness.scotlandMessage)\""))
            let unconfirmed = try await browser.post("/queue/decide", ["ids[]": String(ids[0]), "decision": "release", "reason": "all fine"])
            #expect(unconfirmed.status == .seeOther)
            #expect(try await harness.store.message(id: ids[0])?.state == .held)
            let done = try await Self.postIDs(browser, ids, ["decision": "release", "reason": "expected invoices", "confirm": "yes"])
            #expect(done.status == .seeOther && done.location == "/")
            let page = try await browser.get("/")
            #expect(page.text.contains("Released 3 messages"), "\(page.text)")
        }
        for id in ids {
            #expect(try await harness.store.message(id: id)?.state == .released)
            let release = try await harness.store.auditTrail(messageID: id).filter { $0.entry.action == .release }
            #expect(release.count == 1 && release[0].entry.actor == ReviewHarness.london && release[0].entry.reason == "expected invoices")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: harness.deliveries.path).count == 3)
    }

    @Test func bulkDecisionsAreRefusedWithoutTheTokenAndSkipOthersMessagesAndOwnMail() async throws {
        let harness = try await ReviewHarness()
        // Addressed to the London official: four eyes, someone else decides on it.
        let own = try await ReviewHarness.hold(harness.store, to: ReviewHarness.london, branch: "london", subject: "To me")
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/")
            // Another site's form (no token, or a wrong one): refused before anything is done.
            let forged = try await Self.postIDs(browser, [harness.londonMessage], ["decision": "refuse", "reason": "x", "confirm": "yes"], csrf: "")
            #expect(forged.status == .forbidden)
            let wrong = try await Self.postIDs(browser, [harness.londonMessage], ["decision": "refuse", "reason": "x", "confirm": "yes"], csrf: "forged")
            #expect(wrong.status == .forbidden)
            #expect(try await harness.store.message(id: harness.londonMessage)?.state == .held)
            // Another branch's message and the official's own mail, posted by hand among their own.
            try await browser.get("/")
            let mixed = try await Self.postIDs(
                browser, [harness.scotlandMessage, own, harness.londonMessage], ["decision": "refuse", "reason": "fraud", "confirm": "yes"])
            #expect(mixed.status == .seeOther)
            let page = try await browser.get("/")
            #expect(page.text.contains("Refused 1 message: #\(harness.londonMessage)."), "\(page.text)")
            #expect(page.text.contains("#\(harness.scotlandMessage) (no such message, or not for your branches)"))
            #expect(page.text.contains("#\(own) ("))
        }
        #expect(try await harness.store.message(id: harness.londonMessage)?.state == .refused)
        #expect(try await harness.store.message(id: harness.scotlandMessage)?.state == .held)
        #expect(try await harness.store.message(id: own)?.state == .held)
        #expect(try await harness.store.auditTrail(messageID: harness.scotlandMessage).map(\.entry.action) == [.hold])
        #expect(try await harness.store.auditTrail(messageID: own).map(\.entry.action) == [.hold])
    }

    /// Posts the ids as the queue's checkboxes do (`ids[]` once per ticked message).
    static func postIDs(_ browser: Browser, _ ids: [Int64], _ fields: [String: String], csrf: String? = nil) async throws -> TestResponse {
        var headers = HTTPFields()
        if let cookie = await browser.cookie { headers[.cookie] = cookie }
        headers[.contentType] = "application/x-www-form-urlencoded"
        var all = fields.map { "\(Browser.encode($0.key))=\(Browser.encode($0.value))" }
        all += ids.map { "ids%5B%5D=\($0)" }
        let session = await browser.csrf
        all.append("csrf=\(Browser.encode(csrf ?? session ?? ""))")
        return try await browser.client.execute(
            uri: "/queue/decide", method: .post, headers: headers, body: ByteBuffer(string: all.joined(separator: "&")))
    }

    // MARK: download

    @Test func downloadNeedsAReasonIsAuditedAndGivesTheOriginalBytes() async throws {
        let harness = try await ReviewHarness()
        let id = harness.londonMessage
        let raw = try #require(try await harness.store.raw(id: id))
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let page = try await browser.get("/messages/\(id)")
            #expect(page.text.contains("formaction=\"/messages/\(id)/download\""))
            let noReason = try await browser.post("/messages/\(id)/download", ["reason": " "])
            #expect(noReason.status == .seeOther)
            #expect(try await harness.store.auditTrail(messageID: id).map(\.entry.action) == [.hold])
            let file = try await browser.post("/messages/\(id)/download", ["reason": "evidence for the branch committee"])
            #expect(file.status == .ok)
            #expect(file.headers[.contentType] == "message/rfc822")
            #expect(file.headers[.contentDisposition] == "attachment; filename=\"steward-message-\(id).eml\"")
            #expect(Array(file.body.readableBytesView) == raw)
            // Not a link anyone can be sent: a GET is no download.
            #expect(try await browser.get("/messages/\(id)/download").status != .ok)
        }
        let export = try #require(try await harness.store.auditTrail(messageID: id).last)
        #expect(export.entry.action == .export && export.entry.actor == ReviewHarness.london)
        #expect(export.entry.reason == "evidence for the branch committee")
    }

    @Test func downloadIsRefusedWithoutTheTokenToOtherBranchesAndForOwnMail() async throws {
        let harness = try await ReviewHarness()
        let own = try await ReviewHarness.hold(harness.store, to: ReviewHarness.london, branch: "london", subject: "To me")
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/messages/\(harness.londonMessage)")
            #expect(try await browser.post("/messages/\(harness.londonMessage)/download", ["reason": "x"], csrf: "").status == .forbidden)
            #expect(try await browser.post("/messages/\(harness.scotlandMessage)/download", ["reason": "curious"]).status == .notFound)
            #expect(try await browser.post("/messages/\(own)/download", ["reason": "mine"]).status == .forbidden)
        }
        for id in [harness.londonMessage, harness.scotlandMessage, own] {
            #expect(try await harness.store.auditTrail(messageID: id).map(\.entry.action) == [.hold])
        }
    }

    // MARK: release and allow

    static func candidateURL(_ harness: ReviewHarness, _ branch: String = "london") -> URL {
        harness.directory.url.appendingPathComponent("Policies/branches/\(branch).candidate.yaml")
    }

    /// A London member's message, sent signed in (SMTP AUTH): the kind release and allow is for.
    static let member = "chris.lee@london.union.example"
    static func signedIn(_ harness: ReviewHarness, rule: (kind: String, rule: String) = ("unsafe-attachment", "executable-attachment")) async throws -> Int64 {
        try await ReviewHarness.hold(
            harness.store, to: "pat.doe@london.union.example", branch: "london", subject: "From a member", sender: member,
            authUser: "clee", finding: rule)
    }

    @Test func releaseAndAllowWritesTheCandidateNeverTheLivePolicy() async throws {
        let harness = try await ReviewHarness()
        let id = try await Self.signedIn(harness)
        let live = harness.directory.url.appendingPathComponent("Policies/branches/london.yaml")
        let liveText = try String(contentsOf: live, encoding: .utf8)
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let page = try await browser.get("/messages/\(id)")
            #expect(page.text.contains("<option value=\"london/executable-attachment\">"), "\(page.text)")
            let released = try await browser.post(
                "/messages/\(id)/release", ["reason": "our printer", "confirm": "yes", "allow": "london/executable-attachment"])
            #expect(released.status == .seeOther)
            let after = try await browser.get("/messages/\(id)")
            #expect(after.text.contains("is allowed for rule executable-attachment"), "\(after.text)")
        }
        #expect(try await harness.store.message(id: id)?.state == .released)
        #expect(try String(contentsOf: live, encoding: .utf8) == liveText, "the live policy is untouched")
        let candidate = try String(contentsOf: Self.candidateURL(harness), encoding: .utf8)
        #expect(candidate.contains(Self.member) && candidate.contains("except_senders"), "\(candidate)")
        #expect(candidate.contains("inspection-limit"), "made from the live rules:\n\(candidate)")
        let trail = try await harness.store.auditTrail(messageID: id).map(\.entry)
        #expect(trail.map(\.action) == [.hold, .release, .policyException])
        #expect(trail.last?.actor == ReviewHarness.london && trail.last?.reason == "our printer")
        let policy = harness.app.policy.snapshot.evaluator.policy
        #expect(policy.candidateSettings["london"]?.excepts(Self.member, from: "executable-attachment") == true)
        #expect(!policy.settings(for: "london").excepts(Self.member, from: "executable-attachment"))
    }

    @Test func releaseAndAllowIsRefusedForAnotherBranchOrRuleAndWithoutTheToken() async throws {
        let harness = try await ReviewHarness()
        let id = try await Self.signedIn(harness)
        // From outside, not signed in: its sender could be anyone's address.
        let unsigned = harness.londonMessage
        // Signed in, but held by an impersonation rule, which takes no exceptions.
        let impersonation = try await Self.signedIn(harness, rule: ("impersonation", "impersonation-official-name"))
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            try await browser.get("/messages/\(id)")
            let form = ["reason": "r", "confirm": "yes", "allow": "london/executable-attachment"]
            #expect(try await browser.post("/messages/\(id)/release", form, csrf: "").status == .forbidden)
            // Scotland's policy through a London message, and a rule that did not hold it.
            for allow in ["scotland/executable-attachment", "london/mass-mailing", "london/../../default"] {
                let forged = try await browser.post("/messages/\(id)/release", ["reason": "r", "confirm": "yes", "allow": allow])
                #expect(forged.status == .forbidden, "\(allow)")
            }
            for (other, allow) in [(unsigned, "london/executable-attachment"), (impersonation, "london/impersonation-official-name")] {
                #expect(!(try await browser.get("/messages/\(other)")).text.contains("<option value=\"\(allow)\">"), "not offered: \(allow)")
                let forged = try await browser.post("/messages/\(other)/release", ["reason": "r", "confirm": "yes", "allow": allow])
                #expect(forged.status == .forbidden, "\(allow) on message \(other)")
                #expect(try await harness.store.message(id: other)?.state == .held)
            }
            // The Scotland official on the London message: it does not exist for them.
            let other = Browser(client)
            try await other.signIn(ReviewHarness.scotland)
            try await other.get("/")
            #expect(try await other.post("/messages/\(id)/release", form).status == .notFound)
        }
        #expect(try await harness.store.message(id: id)?.state == .held, "nothing released either")
        #expect(!FileManager.default.fileExists(atPath: Self.candidateURL(harness).path))
        #expect(!FileManager.default.fileExists(atPath: Self.candidateURL(harness, "scotland").path))
        #expect(try await harness.store.auditTrail(messageID: nil).allSatisfy { $0.entry.action != .policyException })
    }

    // MARK: paging, times, release rates

    @Test func theQueuePagesPast500InsteadOfStopping() async throws {
        let harness = try await ReviewHarness()
        let ids = try await Self.holdLondon(harness, count: 500)
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let first = try await browser.get("/?branch=london")
            #expect(first.text.contains("Messages 1–500 of 501."))
            #expect(first.text.contains("data-id=\"\(ids.last!)\""))
            #expect(!first.text.contains("data-id=\"\(harness.londonMessage)\""), "the oldest is on page 2")
            #expect(first.text.contains("id=\"older\" href=\"/?branch=london&amp;page=2\""), "filters kept")
            let second = try await browser.get("/?branch=london&page=2")
            #expect(second.text.contains("Messages 501–501 of 501."))
            #expect(second.text.contains("data-id=\"\(harness.londonMessage)\""))
            #expect(second.text.contains("id=\"newer\""))
        }
    }

    @Test func timesAreLocalToTheOfficialWithUTCOnHover() async throws {
        var settings = ReviewSettings()
        settings.timeZone = TimeZone(identifier: "Asia/Tokyo")!
        let harness = try await ReviewHarness(settings: settings)
        // The Scotland official names their own zone in the directory.
        let directoryFile = harness.directory.url.appendingPathComponent("Policies/directory.yaml")
        let text = try String(contentsOf: directoryFile, encoding: .utf8)
        try text.replacingOccurrences(of: "    branch: scotland\n", with: "    branch: scotland\n    time_zone: America/New_York\n")
            .write(to: directoryFile, atomically: true, encoding: .utf8)
        _ = try harness.app.policy.reload()
        let held = try #require(try await harness.store.message(id: harness.londonMessage)).heldAt
        let utc = TimeFormatCheck.text(held, "UTC", seconds: false) + " UTC"
        try await harness.test { client in
            let london = Browser(client)
            try await london.signIn(ReviewHarness.london)
            let queue = try await london.get("/")
            // The zone's name as the system abbreviates it (JST, or GMT+9), after the local time.
            #expect(queue.text.contains("title=\"\(utc)\">\(TimeFormatCheck.text(held, "Asia/Tokyo", seconds: false)) "), "\(queue.text)")
            let message = try await london.get("/messages/\(harness.londonMessage)")
            #expect(message.text.contains("title=\"\(utc)\""))
            let trail = try await london.get("/messages/\(harness.londonMessage)/trail")
            #expect(trail.text.contains(">\(TimeFormatCheck.text(held, "Asia/Tokyo", seconds: false)):"), "to the second")
            let scotland = Browser(client)
            try await scotland.signIn(ReviewHarness.scotland)
            let theirs = try await scotland.get("/")
            #expect(theirs.text.contains(TimeFormatCheck.text(try #require(try await harness.store.message(id: harness.scotlandMessage)).heldAt, "America/New_York", seconds: false)))
        }
    }

    @Test func theFiguresFlagARuleWhoseHoldsAreMostlyReleased() async throws {
        let harness = try await ReviewHarness()
        let ids = [harness.londonMessage] + (try await Self.holdLondon(harness, count: 3))
        for id in ids.prefix(3) { _ = try await harness.store.apply(.release(by: "x", reason: "fine"), to: id) }
        try await harness.test { client in
            let browser = Browser(client)
            try await browser.signIn(ReviewHarness.london)
            let page = try await browser.get("/branches/london/figures")
            #expect(page.text.contains("id=\"release-rates\""))
            let row = try #require(page.text.components(separatedBy: "<tr data-rule=\"unsafe-attachment/executable-attachment\" class=\"flagged\"").dropFirst().first)
            #expect(row.contains("data-label=\"Held, 4 weeks\">4<") && row.contains("data-label=\"Released, 13 weeks\">75%<"), "\(row.prefix(600))")
            #expect(row.contains("Mostly released"))
        }
    }
}

/// The expected local text of a time, computed independently of the app's formatter.
enum TimeFormatCheck {
    static func text(_ date: Date, _ zone: String, seconds: Bool) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = seconds ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
