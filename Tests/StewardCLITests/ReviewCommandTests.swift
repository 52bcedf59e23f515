import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StewardTestSupport
import Testing

/// `steward user set-password` and `steward review` as an administrator runs them: the real
/// binary, a real config, store and policy.
@Suite struct ReviewCommandTests {
    static func config(in directory: TemporaryDirectory, port: Int = 8470) throws -> String {
        let path = directory.path("steward.yaml")
        try """
            policy: \(PackagePaths.policies.path)
            store:
              sqlite: \(directory.path("quarantine.sqlite"))
            mta:
              sendmail: /bin/false
            release:
              secret_file: \(directory.path("release.key"))
            review:
              listen: 127.0.0.1:\(port)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func setPasswordStoresOnlyAHashForADirectoryLoginAndAuditsIt() throws {
        let directory = try TemporaryDirectory("user")
        let config = try Self.config(in: directory)
        let binary = PackagePaths.stewardBinary.path
        let password = "a long secret phrase 42"
        let set = try Command.run(
            binary, ["user", "set-password", "--config", config, "--actor", "root", "Sam.Okafor@union.example"],
            input: Data((password + "\n").utf8))
        #expect(set.status == 0, "\(set.error)")
        #expect(set.output.contains("password set for sam.okafor@union.example"))
        #expect(set.output.contains("london"))

        let stranger = try Command.run(
            binary, ["user", "set-password", "--config", config, "someone@elsewhere.example"], input: Data((password + "\n").utf8))
        #expect(stranger.status == 1)
        #expect(stranger.error.contains("not an official in the directory"))
        let short = try Command.run(
            binary, ["user", "set-password", "--config", config, "sam.okafor@union.example"], input: Data("short\n".utf8))
        #expect(short.status == 1)
        #expect(short.error.contains("at least 12 characters"))

        let trail = try Command.run(binary, ["audit", "list", "--config", config])
        #expect(trail.status == 0)
        #expect(trail.output.contains("password-set"))
        #expect(trail.output.contains("sam.okafor@union.example"))
        #expect(trail.output.components(separatedBy: "password-set").count == 2, "one change, one entry")
        let store = try Data(contentsOf: URL(fileURLWithPath: directory.path("quarantine.sqlite")))
        #expect(store.range(of: Data(password.utf8)) == nil, "the password itself is nowhere in the store")
        #expect(store.range(of: Data("$2b$12$".utf8)) != nil, "a Bcrypt hash at cost 12")
    }

    @Test func reviewServesTheSignInPageOnItsListenAddress() async throws {
        let directory = try TemporaryDirectory("review-cli")
        let port = try TestSupport.freeLoopbackPort()
        let config = try Self.config(in: directory, port: port)
        let log = directory.path("review.log")
        let pid = try Command.spawn([PackagePaths.stewardBinary.path, "review", "--config", config], output: log)
        defer {
            kill(pid, SIGTERM)
            _ = TestSupport.waitUntil(timeout: 10) { Command.reap(pid) != nil }
        }
        try await Self.expectSignInPage(port: port, log: log)
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("review app listening"))
        kill(pid, SIGHUP)
        let reloaded = TestSupport.waitUntil(timeout: 10) {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("policy reloaded")
        }
        #expect(reloaded, "SIGHUP reloads the policy")
        #expect(Command.reap(pid) == nil, "and the app keeps running")
    }

    @Test func serveRunsTheReviewAppBesideTheMilter() async throws {
        let port = try TestSupport.freeLoopbackPort()
        let steward = try StewardServe(label: "serve-review", extraConfig: "review:\n  listen: 127.0.0.1:\(port)\n")
        try await Self.expectSignInPage(port: port, log: steward.logPath)
        #expect(steward.isRunning)
    }

    /// Waits (at most 10 s) for the app on `port`, then checks the sign-in page and that the
    /// queue needs a session.
    static func expectSignInPage(port: Int, log: String) async throws {
        let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)
        func fetch(_ path: String) async -> (Int, String)? {
            guard let (data, response) = try? await session.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!) else { return nil }
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        var login: (Int, String)?
        for _ in 0..<100 where login == nil {
            login = await fetch("/login")
            if login == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let page = try #require(login, "the review app did not answer: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(page.0 == 200)
        #expect(page.1.contains("id=\"login-form\""))
        #expect(await fetch("/")?.0 == 303, "the queue needs a session")
    }
}

/// Lets the test see a 303 as it is, instead of following it.
final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
