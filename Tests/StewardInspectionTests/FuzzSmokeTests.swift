import Foundation
import StewardTestSupport
import Testing

/// A short fuzzing smoke over inspection (issue 12): the plain driver of steward-fuzz runs the
/// seeds and mutations of them, bounded in count and time, in its own process, so a crash
/// fails the test instead of the runner. The long coverage-guided run is scripts/fuzz.
@Suite struct FuzzSmokeTests {
    @Test("15,000 mutated messages (at most a minute) are inspected without a crash")
    func smoke() throws {
        let steward = PackagePaths.stewardBinary
        let fuzz = steward.deletingLastPathComponent().appendingPathComponent("steward-fuzz").path
        guard FileManager.default.isExecutableFile(atPath: fuzz) else { throw TestFailure("\(fuzz) is missing: run swift build") }
        let result = try Command.run(fuzz, ["--runs", "15000", "--seconds", "60", "--seed", "7"], timeout: 150, combineOutput: true)
        #expect(result.succeeded, "\(result.output)")
        #expect(result.output.contains("no crash"), "\(result.output)")
    }
}
