import Foundation
import StewardTestSupport
import Testing

/// `steward user totp` as an administrator runs it: the real binary, config, store and policy.
@Suite struct TOTPCommandTests {
    @Test func printsTheURIAndRecoveryCodesOnceAndStoresOnlyTheirHashes() throws {
        let directory = try TemporaryDirectory("totp")
        let config = try ReviewCommandTests.config(in: directory)
        let binary = PackagePaths.stewardBinary.path
        let setUp = try Command.run(binary, ["user", "totp", "--config", config, "--actor", "root", "Sam.Okafor@union.example"])
        #expect(setUp.status == 0, "\(setUp.error)")
        let lines = setUp.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let uri = try #require(lines.first { $0.hasPrefix("otpauth://totp/Steward:sam.okafor@union.example?secret=") })
        #expect(uri.contains("&issuer=Steward"))
        let codes = lines.filter { $0.range(of: #"^[a-z2-9]{5}-[a-z2-9]{5}$"#, options: .regularExpression) != nil }
        #expect(codes.count == 10, "\(setUp.output)")

        let store = try Data(contentsOf: URL(fileURLWithPath: directory.path("quarantine.sqlite")))
        for code in codes { #expect(store.range(of: Data(code.utf8)) == nil, "recovery code \(code) is not stored") }
        let trail = try Command.run(binary, ["audit", "list", "--config", config])
        #expect(trail.output.contains("second-factor-set"))

        let stranger = try Command.run(binary, ["user", "totp", "--config", config, "someone@elsewhere.example"])
        #expect(stranger.status == 1)
        #expect(stranger.error.contains("not an official in the directory"))
        let removed = try Command.run(binary, ["user", "totp", "--config", config, "--remove", "sam.okafor@union.example"])
        #expect(removed.status == 0)
        #expect(removed.output.contains("second factor removed for sam.okafor@union.example"))
    }
}
