import Dispatch
import StewardCore
@testable import StewardPolicy
import StewardTestSupport
import Testing

/// Found by fuzzing (issue 12): a 4 KB message whose zip held a damaged bzip2 member, read as
/// 6.8 MB of text on one line, took 20 s of the marker search; a line of dashes after a leading
/// marker's word took time with the square of its length (80,000 dashes 1.8 s, a million some
/// hours). Each line is now read a bounded number of times: the lines of dashes would not
/// finish within the bound without that.
@Suite("Long lines cost the marker search one reading, not one per byte")
struct LongLineTests {
    let search = MarkerPrefilterTests.search()

    /// What `work` returns, or nil when it has not ended within two minutes (a few seconds
    /// here; hours when the search goes back over a line for each byte). It runs on a thread
    /// of its own, since a test's time limit cannot stop a loop that never waits: a test that
    /// hung would hold the whole run.
    func inTime<Result>(_ work: @escaping () -> Result) -> Result? {
        let outcome = Outcome(work), done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            outcome.result = outcome.work()
            done.signal()
        }
        return done.wait(timeout: .now() + .seconds(120)) == .success ? outcome.result : nil
    }

    func line(_ text: String) -> MarkerText { MarkerText.lines(of: text, markingWords: search.markingWords)[0] }

    @Test("a million dashes after an embargo's word: read once, and a marking after them still found")
    func dashes() {
        let dashes = String(repeating: "-", count: 1_000_000)
        let lines = [
            "We spoke of the embargo then x" + dashes + "y", "We spoke of the embargo then x" + String(repeating: "- ", count: 500_000) + "y",
            "We spoke of the embargo then x" + String(repeating: "\u{2013}", count: 300_000), "Pay offer " + dashes + " - embargoed until Monday",
        ].map(line)
        let search = search
        #expect(inTime { lines.map { search.marking(in: $0, kind: .body, running: true) } } == [false, false, false, true])
    }

    @Test("binary read as text, with marker words in the middle: passed over, or found")
    func binaryAsText() {
        let noise = String(repeating: "\u{81}", count: 200_000)
        #expect(!search.marking(in: line(noise + " the embargo, confidential and restricted " + noise), kind: .body, running: true))
        #expect(search.marking(in: line(noise + " [CONFIDENTIAL] " + noise), kind: .body, running: true))
    }
}

/// A worker's task and result: written by the worker before it signals, read after.
private final class Outcome<Result>: @unchecked Sendable {
    let work: () -> Result
    var result: Result?
    init(_ work: @escaping () -> Result) { self.work = work }
}
