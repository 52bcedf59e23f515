import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// `steward serve` stopping (SIGTERM, as `systemctl stop` sends it) while an official's
    /// release is under way in the review app.
    @Suite("Shutdown")
    struct Shutdown {
        typealias Address = EndToEndTests.Address
        static let official = "sam.okafor@union.example"
        static let password = "orchard lantern meadow 9"

        /// The attack on the old shape of `serve` (the review app on a detached thread no
        /// shutdown waited for): a release in flight when SIGTERM came was cut off with the
        /// message already `released`, no delivery and no `release-failed` on the trail. After
        /// the process exits, the test kills what it left behind, as systemd kills the unit's
        /// control group; the message must then have been delivered, or be held again with
        /// `release-failed` on its trail.
        @Test("SIGTERM during a release: the message is delivered or the trail says release-failed")
        func sigtermDuringARelease() async throws {
            try EndToEndTests.requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            // A sendmail that takes its time (a loaded MTA): the release is under way when
            // SIGTERM comes. It writes its PID first, so the test can find it afterwards.
            let started = lab.directory.appendingPathComponent("sendmail.pid").path
            let slow = lab.directory.appendingPathComponent("slow-sendmail").path
            try "#!/bin/sh\necho $$ > \(started)\nsleep 3\nexec /usr/sbin/sendmail \"$@\"\n".write(toFile: slow, atomically: true, encoding: .utf8)
            chmod(slow, 0o755)
            let port = try TestSupport.freeLoopbackPort()
            let steward = try StewardServe(lab: lab, extraConfig: "review:\n  listen: 127.0.0.1:\(port)\n", sendmail: slow)
            defer { steward.stop() }

            let submission = try lab.submit(Samples.eicarAttachment(id: "shutdown-release"), from: Address.external, to: [Address.member])
            #expect(submission.accepted, "\(submission)\n\(steward.log)")
            #expect(try lab.waitForEmptyQueue(timeout: 60))
            let held = try steward.heldMessages()
            try #require(held.count == 1, "\(steward.log)")
            let id = held[0].id
            let set = try Command.run(
                PackagePaths.stewardBinary.path, ["user", "set-password", "--config", steward.configPath, "--actor", "root", Self.official],
                input: Data((Self.password + "\n").utf8), timeout: 60)
            try #require(set.status == 0, "\(set.error)")

            let review = try await ReviewClient(port: port, log: steward.logPath)
            try await review.signIn(login: Self.official, password: Self.password)
            let release = Task { try await review.release(id: id, reason: "a known supplier's file") }
            // The release is under way once the slow sendmail has started: stop steward now.
            try #require(TestSupport.waitUntil(timeout: 30, interval: 0.05) { FileManager.default.fileExists(atPath: started) }, "\(steward.log)")
            steward.signal(SIGTERM)
            let answer = try? await release.value
            let status = steward.stop(timeout: 60)
            // What systemd does once the main process is gone: the rest of the unit is killed.
            if let text = try? String(contentsOfFile: started, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGKILL)
            }
            #expect(status == 0, "serve exits cleanly after its drain: \(status)\n\(steward.log)")

            // A release handed to Postfix waits in its queue while Steward is down (Postfix
            // passes it back through the milter): Steward again, and the queue flushed.
            let again = try StewardServe(lab: lab)
            defer { again.stop() }
            try lab.flush()
            _ = try lab.waitForEmptyQueue(timeout: 60)

            let delivered = try lab.sinkMessages().contains { message in
                message.envelope.contains { $0.hasPrefix("X-Rcpt-Args:") && $0.contains(Address.member) }
            }
            let trail = try Command.run(PackagePaths.stewardBinary.path, ["audit", "list", "--message", "\(id)", "--config", steward.configPath]).output
            let state = try again.heldMessages().first { $0.id == id }?.state
            #expect(delivered || (trail.contains(" release-failed #\(id)") && state == "held"),
                    "released but neither delivered nor recorded as failed (state \(state ?? "none")):\n\(trail)\n\(steward.log)\n\(lab.diagnostics())")
            #expect(trail.contains(" release #\(id)"), "\(trail)")
            if delivered {
                #expect(answer == 303, "the official's request was answered: \(answer.map(String.init) ?? "no answer")")
            }
        }
    }
}

/// Signs in to the review app over HTTP as a browser would (its cookies, the forms' CSRF
/// tokens) and posts decisions. Redirects are not followed: a 303 is the answer.
final class ReviewClient: @unchecked Sendable {
    let base: String
    let session: URLSession
    private let lock = NSLock()
    private var cookies: [String: String] = [:]

    init(port: Int, log: String) async throws {
        base = "http://127.0.0.1:\(port)"
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = 120
        session = URLSession(configuration: configuration, delegate: StopAtRedirects(), delegateQueue: nil)
        for _ in 0..<100 {
            if (try? await session.data(from: URL(string: base + "/login")!)) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("the review app did not answer: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    /// The page's hidden CSRF token.
    static func csrf(_ page: String) throws -> String {
        try #require(page.range(of: "name=\"csrf\" value=\"").map { String(page[$0.upperBound...].prefix { $0 != "\"" }) })
    }

    private func send(_ request: URLRequest) async throws -> (status: Int, page: String) {
        var request = request
        let cookie = lock.withLock { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if !cookie.isEmpty { request.setValue(cookie, forHTTPHeaderField: "Cookie") }
        let (data, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        if let set = http?.value(forHTTPHeaderField: "Set-Cookie") {
            // One or more cookies; each "name=value; attributes".
            for part in set.components(separatedBy: ", ") {
                let pair = part.prefix { $0 != ";" }
                if let equals = pair.firstIndex(of: "=") {
                    lock.withLock { cookies[String(pair[..<equals])] = String(pair[pair.index(after: equals)...]) }
                }
            }
        }
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    func get(_ path: String) async throws -> String {
        try await send(URLRequest(url: URL(string: base + path)!)).page
    }

    func post(_ path: String, _ fields: [String: String]) async throws -> (status: Int, page: String) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(fields.sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"
        }.joined(separator: "&").utf8)
        return try await send(request)
    }

    func signIn(login: String, password: String) async throws {
        let form = try await get("/login")
        let (status, page) = try await post("/login", ["login": login, "password": password, "csrf": try Self.csrf(form)])
        try #require(status == 303, "sign-in failed (\(status)): \(page.prefix(400))")
    }

    /// Posts the release with a reason and the confirmation; returns the HTTP status (303 when
    /// the app answered).
    func release(id: Int, reason: String) async throws -> Int {
        let page = try await get("/messages/\(id)")
        return try await post("/messages/\(id)/release", ["reason": reason, "confirm": "yes", "csrf": try Self.csrf(page)]).status
    }
}

/// Lets the client see a 303 as it is, instead of following it.
final class StopAtRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
