import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StewardTestSupport
import Testing

/// The lockout against a burst of parallel sign-ins, on a real `steward review` over loopback
/// with a real cost-12 password set by `steward user set-password`: 120 guesses fired at once
/// with the right password among them, then the right password once more.
@Suite struct SignInFloodTests {
    static let login = "sam.okafor@union.example"
    static let password = "violet tractor ledger 7"

    @Test func parallelGuessesGetNoMoreTriesThanTheLockoutAllows() async throws {
        let directory = try TemporaryDirectory("flood")
        let port = try TestSupport.freeLoopbackPort()
        let config = try ReviewCommandTests.config(in: directory, port: port)
        let binary = PackagePaths.stewardBinary.path
        let set = try Command.run(
            binary, ["user", "set-password", "--config", config, "--actor", "root", Self.login], input: Data((Self.password + "\n").utf8),
            timeout: 60)
        #expect(set.status == 0, "\(set.error)")
        let log = directory.path("review.log")
        let pid = try Command.spawn([binary, "review", "--config", config], output: log)
        defer {
            kill(pid, SIGTERM)
            _ = TestSupport.waitUntil(timeout: 10) { Command.reap(pid) != nil }
        }
        try await ReviewCommandTests.expectSignInPage(port: port, log: log)

        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 200
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = 120
        let session = URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
        let base = "http://127.0.0.1:\(port)"
        // One sign-in form, as an attacker's script would fetch it: its cookie and token.
        let (formData, formResponse) = try await session.data(from: URL(string: base + "/login")!)
        let setCookie = try #require((formResponse as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie"))
        let cookie = String(setCookie.prefix { $0 != ";" })
        let form = String(decoding: formData, as: UTF8.self)
        let csrf = try #require(form.range(of: "name=\"csrf\" value=\"").map { String(form[$0.upperBound...].prefix { $0 != "\"" }) })

        /// The status of one sign-in, and whether the page said the account is locked out.
        @Sendable func signIn(_ password: String) async -> (status: Int, locked: Bool) {
            var request = URLRequest(url: URL(string: base + "/login")!)
            request.httpMethod = "POST"
            request.setValue(cookie, forHTTPHeaderField: "Cookie")
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            let fields = ["login": Self.login, "password": password, "csrf": csrf]
            request.httpBody = Data(fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&").utf8)
            guard let (data, response) = try? await session.data(for: request) else { return (-1, false) }
            return ((response as? HTTPURLResponse)?.statusCode ?? -1, String(decoding: data, as: UTF8.self).contains("Too many failed attempts"))
        }
        func burst(_ count: Int, right: Int? = nil) async -> [Int: (status: Int, locked: Bool)] {
            await withTaskGroup(of: (Int, (status: Int, locked: Bool)).self) { group in
                for index in 0..<count {
                    group.addTask { (index, await signIn(index == right ? Self.password : "wrong guess number \(index)")) }
                }
                var answers: [Int: (status: Int, locked: Bool)] = [:]
                for await (index, answer) in group { answers[index] = answer }
                return answers
            }
        }

        // 120 at once, the right password in the middle of them.
        let started = Date()
        let first = await burst(120, right: 60)
        let seconds = Date().timeIntervalSince(started)
        #expect(first.count == 120 && !first.values.contains { $0.status == -1 }, "every attempt was answered")
        #expect(first.values.allSatisfy { [401, 303, 429, 503].contains($0.status) }, "\(first.values.map(\.status).sorted())")
        var failures = first.values.filter { $0.status == 401 }.count
        let firstFailures = failures
        // More waves of wrong guesses until the lockout answers (at most 10 waves of 40).
        var locked = first.values.contains { $0.locked }
        for _ in 0..<10 where !locked {
            try await Task.sleep(for: .milliseconds(300))
            let wave = await burst(40)
            failures += wave.values.filter { $0.status == 401 }.count
            locked = wave.values.contains { $0.locked }
        }
        #expect(locked, "the lockout began")
        #expect(failures <= 5, "at most 5 wrong passwords were checked, however parallel (checked \(failures))")
        let failedLines = try String(contentsOfFile: log, encoding: .utf8).components(separatedBy: "review sign-in failed").count - 1
        #expect(failedLines == failures, "the log shows each failure that was checked")

        // Once locked, the right password is refused too.
        let after = await signIn(Self.password)
        #expect(after.status == 429 && after.locked, "after the lockout the right password is refused")
        print("sign-in flood: 120 parallel attempts answered in \(String(format: "%.1f", seconds)) s, \(firstFailures) wrong passwords checked; \(failures) in all before the lockout")
    }
}
