import Foundation
import Hummingbird
import HummingbirdTesting
import StewardCore
import StewardEngine
import StewardPolicy
import StewardQuarantine
import StewardReview
import StewardTestSupport
import Synchronization
import Testing

/// A review app over a real SQLite store and the shipped policy (plus one review admin), with
/// accounts for a London official, a Scotland official and an admin, one held message per
/// branch, a clock the test moves, and releases handed to a script that saves what it is given.
final class ReviewHarness: Sendable {
    static let london = "sam.okafor@union.example"
    static let scotland = "secretary@scotland.union.example"
    static let admin = "postmaster@union.example"
    static let password = "correct horse battery staple"

    let directory: TemporaryDirectory
    let store: SQLiteQuarantineStore
    let app: ReviewApp
    let clock: TestClock
    let londonMessage: Int64
    let scotlandMessage: Int64
    /// Where the release script writes each message it is handed.
    let deliveries: URL

    init(settings: ReviewSettings = ReviewSettings(), sendmail: Bool = true, sessions: SessionCap = SessionCap()) async throws {
        directory = try TemporaryDirectory("review")
        deliveries = directory.url.appendingPathComponent("delivered")
        let policy = directory.url.appendingPathComponent("Policies")
        try FileManager.default.copyItem(at: PackagePaths.policies, to: policy)
        let directoryFile = policy.appendingPathComponent("directory.yaml")
        let text = try String(contentsOf: directoryFile, encoding: .utf8)
        try (text + "\nreview_admins:\n  - \(Self.admin)\n").write(to: directoryFile, atomically: true, encoding: .utf8)

        store = try SQLiteQuarantineStore(path: directory.path("quarantine.sqlite"))
        for login in [Self.london, Self.scotland, Self.admin] {
            try await store.setPasswordHash(
                Bcrypt4.hash(Self.password), login: login, audit: NewAuditEntry(actor: "test", action: .passwordSet, detail: login))
        }
        londonMessage = try await Self.hold(store, to: "chris.lee@london.union.example", branch: "london", subject: "London invoice")
        scotlandMessage = try await Self.hold(store, to: "members@scotland.union.example", branch: "scotland", subject: "Scotland invoice")

        try FileManager.default.createDirectory(at: deliveries, withIntermediateDirectories: true)
        let script = directory.url.appendingPathComponent("sendmail")
        try "#!/bin/sh\ncat > \"\(deliveries.path)/$$.eml\"\n".write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        let release = sendmail
            ? ReleaseService(
                store: store, sendmail: Sendmail(path: script.path),
                token: try ReleaseToken.load(path: directory.path("release.key")))
            : nil
        let clock = TestClock()
        self.clock = clock
        app = try await ReviewApp(
            store: store, policy: try PolicyHolder(directory: policy), release: release, settings: settings, bcryptCost: 4,
            sessions: sessions, now: { clock.now })
    }

    func advance(minutes: Double) { clock.advance(minutes * 60) }

    static func hold(
        _ store: some QuarantineStore, to recipient: String, branch: String, subject: String, raw: [UInt8]? = nil,
        sender: String = "billing@partner.example", authUser: String? = nil,
        finding: (kind: String, rule: String) = ("unsafe-attachment", "executable-attachment")
    ) async throws -> Int64 {
        let message = SampleMessage.plain(from: sender, to: recipient, subject: subject, text: "Please pay.")
        return try await store.hold(NewHold(
            envelope: Envelope(sender: sender, recipients: [recipient], authUser: authUser, clientAddress: "192.0.2.7"),
            verdict: Verdict(
                action: .quarantine, direction: authUser == nil ? .incoming : .internal, branches: [branch],
                findings: [Finding(
                    kind: finding.kind, rule: finding.rule, clause: "10(f)(viii)",
                    detail: "part 2 \"invoice.exe\" is a Windows program", branch: branch, action: .quarantine)]),
            raw: raw ?? message.bytes, subject: subject))
    }

    /// Runs `body` against the app: through the router alone, or `.live` on a loopback port
    /// (when the TCP peer address matters).
    func test(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: app.router()).test(setup, body)
    }
}

/// The app's clock, moved by tests.
final class TestClock: Sendable {
    private let date = Mutex(Date())
    var now: Date { date.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { date.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Bcrypt at the lowest cost, so tests stay fast (production uses 12).
enum Bcrypt4 {
    static func hash(_ password: String) -> String { StewardReview.PasswordHashing.hash(password, cost: 4) }
}

/// A browser's worth of state over the test client: the session cookie, and the CSRF token
/// read from the last page, as a person's browser would carry them.
actor Browser {
    let client: any TestClientProtocol
    /// The cookies the server set and has not expired, by name.
    private(set) var cookies: [String: String] = [:]
    private(set) var csrf: String?

    /// The `Cookie` header this browser sends (nil when it holds none).
    var cookie: String? {
        cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    /// The session cookie alone (the sign-in form's cookie aside).
    var session: String? { cookies.first { $0.key.hasSuffix("steward-session") }?.value }

    init(_ client: any TestClientProtocol) { self.client = client }

    @discardableResult
    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if let cookie { headers[.cookie] = cookie }
        let response = try await client.execute(uri: path, method: .get, headers: headers)
        remember(response)
        return response
    }

    @discardableResult
    func post(_ path: String, _ form: [String: String], csrf override: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if let cookie { headers[.cookie] = cookie }
        headers[.contentType] = "application/x-www-form-urlencoded"
        var fields = form
        fields["csrf"] = override ?? csrf ?? ""
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        let response = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// Opens the sign-in page and signs in; returns the answer to the POST.
    @discardableResult
    func signIn(_ login: String, password: String = ReviewHarness.password, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await get("/login")
        return try await post("/login", ["login": login, "password": password], headers: headers)
    }

    private func remember(_ response: TestResponse) {
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";").first.map(String.init) ?? ""
            guard let equals = pair.firstIndex(of: "=") else { continue }
            let name = String(pair[..<equals])
            // A cookie set to expire now is the server ending the session.
            cookies[name] = header.contains("Max-Age=0") ? nil : String(pair[pair.index(after: equals)...])
        }
        let html = String(buffer: response.body)
        if let range = html.range(of: "name=\"csrf\" value=\"") {
            csrf = String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var location: String? { headers[.location] }
}
