import Foundation
import StewardCore
import StewardQuarantine
import StewardTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What the browser test needs from Debian (outside the suite: its trait reads it).
enum BrowserTools {
    static var unavailableReason: String? {
        ["chromium", "chromedriver", "python3"].first { !Command.exists($0) }.map { "\($0) is missing: run scripts/install-deps" }
    }
}

/// The review app in a real browser (Debian's chromium driven by chromedriver, through
/// Tests/Browser/review_release.py): an official signs in, opens a held London message from the
/// queue, releases it with a reason, and sees it released and on the trail; releases three more
/// at once from the queue; and every page is checked at a phone's width (390 px), tables
/// included. The real `steward
/// review` serves a real SQLite store; the release goes to a sendmail stand-in that saves what it
/// is given, so the test also checks the one delivery. Screenshots are kept under
/// .build/test-output/browser/ (the path is printed).
///
/// Like the end-to-end tests, it is skipped outside CI when its tools are missing, and fails
/// loudly under `CI`.
@Suite(
    .serialized,
    .enabled(
        if: BrowserTools.unavailableReason == nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "skipped: needs chromium, chromium-driver and python3 (run scripts/install-deps)"
    )
)
struct BrowserTests {
    static let login = "sam.okafor@union.example"
    static let password = "violet tractor ledger 7"
    static let reason = "Expected invoice from our usual printer; checked by phone."
    static let bulkReason = "Three more invoices from the same printer, checked together."

    @Test func anOfficialReleasesAHeldMessageInChromium() async throws {
        if let reason = BrowserTools.unavailableReason { throw TestFailure(reason) }
        let directory = try TemporaryDirectory("browser")
        let storePath = directory.path("quarantine.sqlite")
        let id = try await Self.holdLondonMessage(storePath: storePath)
        var bulk: [Int64] = []
        for index in 1...3 { bulk.append(try await Self.holdLondonMessage(storePath: storePath, subject: "Invoice 448\(index)")) }

        // A sendmail that keeps what it is given: never the machine's real MTA.
        let deliveries = directory.path("deliveries")
        try FileManager.default.createDirectory(atPath: deliveries, withIntermediateDirectories: true)
        let sendmail = directory.path("sendmail")
        try """
            #!/bin/sh
            # Test stand-in for sendmail: the arguments, then the message, one file per call.
            out="\(deliveries)/$$"
            printf '%s\\n' "$@" > "$out.args"
            cat > "$out.eml"
            """.write(toFile: sendmail, atomically: true, encoding: .utf8)
        chmod(sendmail, 0o755)

        let port = try TestSupport.freeLoopbackPort()
        let config = directory.path("steward.yaml")
        try """
            policy: \(PackagePaths.policies.path)
            store:
              sqlite: \(storePath)
            mta:
              sendmail: \(sendmail)
            release:
              secret_file: \(directory.path("release.key"))
            review:
              listen: 127.0.0.1:\(port)
              url: http://127.0.0.1:\(port)/
              require_totp: true

            """.write(toFile: config, atomically: true, encoding: .utf8)

        let binary = PackagePaths.stewardBinary.path
        let setPassword = try Command.run(
            binary, ["user", "set-password", Self.login, "--config", config], input: Data("\(Self.password)\n".utf8), timeout: 60,
            combineOutput: true)
        try #require(setPassword.succeeded, "steward user set-password failed: \(setPassword.output)")
        // A second factor, required by the config: the script types the code an app would show.
        let totp = try Command.run(binary, ["user", "totp", Self.login, "--config", config], timeout: 60)
        let totpURI = try #require(
            totp.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("otpauth://") },
            "steward user totp failed: \(totp.output)\(totp.error)")

        let logPath = directory.path("review.log")
        let pid = try Command.spawn([binary, "review", "--config", config], output: logPath)
        defer { Self.stop(pid) }
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        let up = TestSupport.waitUntil(timeout: 60, interval: 0.1) { Self.accepts(port: port) || Command.reap(pid) != nil }
        try #require(up && Self.accepts(port: port), "steward review did not listen on 127.0.0.1:\(port)\n--- log\n\(log())")

        let output = PackagePaths.root.appendingPathComponent(".build/test-output/browser/\(Self.stamp())").path
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        print("browser test output (screenshots, chromedriver log): \(output)")
        let script = PackagePaths.root.appendingPathComponent("Tests/Browser/review_release.py").path
        let run = try Command.run(
            "/usr/bin/env",
            ["STEWARD_TEST_PASSWORD=\(Self.password)", "STEWARD_TEST_TOTP_URI=\(totpURI)", "python3", script, "--base-url", "http://127.0.0.1:\(port)",
             "--login", Self.login, "--message", String(id), "--reason", Self.reason, "--branch", "london", "--output", output,
             "--bulk-reason", Self.bulkReason, "--bulk"] + bulk.map(String.init),
            timeout: 240)
        try? run.output.write(toFile: output + "/result.json", atomically: true, encoding: .utf8)
        let result = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any] ?? [:]
        #expect(run.succeeded, "browser script failed: \(result["error"] ?? run.output)\n\(run.error)\n--- steward log\n\(log())")

        // What the browser saw.
        #expect(result["code_step"] as? Bool == true, "signed in through the code step")
        #expect(result["state_before"] as? String == "held")
        #expect(result["state_after"] as? String == "released")
        #expect((result["flash"] as? String ?? "").contains("released"))
        let trail = result["trail_rows"] as? [String] ?? []
        #expect(trail.contains { $0.contains("release") && $0.contains(Self.login) && $0.contains(Self.reason) }, "trail: \(trail)")
        #expect(result["phone_overflow_px"] as? Int == 0)
        #expect(result["figures_phone_overflow_px"] as? Int == 0)
        #expect((result["figures_label"] as? String ?? "").contains(": 4 held, 1 released, 0 refused"), "\(result["figures_label"] ?? "")")
        #expect(result["chart_bars"] as? Int == 2, "one bar for the hold, one for the release")
        // Three released at once, each on its own trail.
        #expect((result["bulk_flash"] as? String ?? "").contains("Released 3 messages"), "\(result["bulk_flash"] ?? "")")
        #expect((result["bulk_states"] as? [String: String] ?? [:]).values.sorted() == ["released", "released", "released"])
        // Every page at 390 px: neither the page nor any table wider than the screen.
        let phone = result["phone_pages"] as? [String: [String: Any]] ?? [:]
        let pages = ["login", "queue", "message", "message-trail", "branches", "branch-trail", "figures", "shadow", "content"]
        #expect(Set(phone.keys) == Set(pages), "\(phone.keys.sorted())")
        for (page, measured) in phone {
            #expect(measured["width"] as? Int == 390 || (measured["width"] as? Int ?? 0) > 300, "\(page): \(measured)")
            #expect(measured["page"] as? Int == 0 && measured["worst"] as? Int == 0, "\(page) at phone width: \(measured)")
        }
        #expect((phone["figures"]?["tables"] as? Int ?? 0) >= 4 && (phone["queue"]?["tables"] as? Int ?? 0) == 1)
        #expect((phone["message"]?["tables"] as? Int ?? 0) == 1 && (phone["message-trail"]?["tables"] as? Int ?? 0) == 1)
        #expect(result["filters_folded"] as? Bool == true)
        let chart = result["chart_scroll"] as? [String: Bool] ?? [:]
        #expect(chart["scrolls"] == true && chart["latest_in_view"] == true, "the chart opens at the latest week: \(chart)")
        for shot in ["message-released.png", "message-released-phone.png", "message-trail.png", "branch-figures.png", "branch-figures-phone.png",
                     "queue-bulk-released.png"] + pages.map({ "phone-\($0).png" }) {
            let bytes = FileManager.default.contents(atPath: output + "/" + shot) ?? Data()
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 5_000, "\(shot): \(bytes.count) bytes")
        }

        // What really happened: one delivery of the original message to its recipients...
        let files = try FileManager.default.contentsOfDirectory(atPath: deliveries)
        let messages = files.filter { $0.hasSuffix(".eml") }
        try #require(messages.count == 4, "deliveries: \(files)")
        let delivered = try #require(
            try messages.map { try String(contentsOfFile: deliveries + "/" + $0, encoding: .utf8) }.first { $0.contains("Subject: Invoice 4471\r") })
        let first = try #require(messages.first { (try? String(contentsOfFile: deliveries + "/" + $0, encoding: .utf8))?.contains("Subject: Invoice 4471\r") == true })
        #expect(delivered.contains("Subject: Invoice 4471"))
        #expect(delivered.contains("X-Steward-Release:"), "the release mark lets it back through Steward once")
        let arguments = try String(contentsOfFile: deliveries + "/" + first.replacingOccurrences(of: ".eml", with: ".args"), encoding: .utf8)
        #expect(arguments.split(separator: "\n").suffix(1) == ["jo.bloggs@london.union.example"])

        // ...and the store says so, with the official's login and reason on the trail.
        let store = try SQLiteQuarantineStore(path: storePath)
        #expect(try await store.message(id: id)?.state == .released)
        let release = try #require(try await store.auditTrail(messageID: id).first { $0.entry.action == .release })
        #expect(release.entry.actor == Self.login)
        #expect(release.entry.reason == Self.reason)
        for other in bulk {
            #expect(try await store.message(id: other)?.state == .released)
            let entries = try await store.auditTrail(messageID: other).filter { $0.entry.action == .release }
            #expect(entries.count == 1 && entries.first?.entry.reason == Self.bulkReason && entries.first?.entry.actor == Self.login)
        }
    }

    // MARK: helpers

    /// A message from outside to a London member, held by a London rule.
    static func holdLondonMessage(storePath: String, subject: String = "Invoice 4471") async throws -> Int64 {
        let store = try SQLiteQuarantineStore(path: storePath)
        let raw = """
            From: Printer <accounts@printer.example>\r
            To: Jo Bloggs <jo.bloggs@london.union.example>\r
            Subject: \(subject)\r
            Message-ID: <4471@printer.example>\r
            Date: Sat, 21 Nov 2026 09:00:00 +0000\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            \r
            Please find the invoice for the banners attached.\r

            """
        let finding = Finding(
            kind: "unsafe-attachment", rule: "executable", clause: "10(f)(viii)", detail: "invoice.exe is a Windows program",
            branch: "london", action: .quarantine)
        return try await store.hold(NewHold(
            envelope: Envelope(sender: "accounts@printer.example", recipients: ["jo.bloggs@london.union.example"], clientAddress: "192.0.2.10"),
            verdict: Verdict(action: .quarantine, direction: .incoming, branches: ["london"], findings: [finding]),
            raw: Array(raw.utf8), subject: subject))
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// SIGTERM to the process we started, then SIGKILL if it lingers.
    static func stop(_ pid: Int32) {
        guard Command.reap(pid) == nil else { return }
        kill(pid, SIGTERM)
        if !TestSupport.waitUntil(timeout: 15, interval: 0.05, { Command.reap(pid) != nil }) {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }
    }

    static func stamp() -> String {
        String(Date().formatted(.iso8601).map { $0 == ":" ? "-" : $0 }) + "-\(getpid())"
    }
}
