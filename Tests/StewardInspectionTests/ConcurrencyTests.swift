import Foundation
import StewardCore
@testable import StewardInspection
import Testing

@Suite("Inspection: one inspector shared by many threads")
struct ConcurrencyTests {
    @Test func concurrentInspectionsGiveCorrectResults() async throws {
        let inspector = Inspector()
        let samples: [(bytes: [UInt8], type: String, content: [UInt8])] = [
            (Fixture.crlf(Fixture.multipart(boundary: "p", parts: [Fixture.attachment(type: "application/octet-stream", filename: "x", bytes: Fixture.png)])), "image/png", Fixture.png),
            (Fixture.crlf(Fixture.multipart(boundary: "d", parts: [Fixture.attachment(type: "application/octet-stream", filename: "x", bytes: Fixture.pdf)])), "application/pdf", Fixture.pdf),
            (Fixture.crlf(Fixture.multipart(boundary: "e", parts: [Fixture.attachment(type: "application/octet-stream", filename: "x", bytes: Fixture.eicar)])), "text/plain", Fixture.eicar),
        ]
        // Real threads, as libmilter uses: one per connection.
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 48) { iteration in
            let sample = samples[iteration % samples.count]
            for _ in 0..<10 {
                do {
                    let part = try inspector.inspect(bytes: sample.bytes).root.children.first
                    if part?.trueType != sample.type || part?.content.bytes(upTo: .max) != sample.content {
                        failures.add("iteration \(iteration): got \(part?.trueType ?? "nil")")
                    }
                } catch {
                    failures.add("iteration \(iteration): \(error)")
                }
            }
        }
        #expect(failures.all.isEmpty)

        // And from Swift tasks.
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<24 {
                group.addTask {
                    let sample = samples[index % samples.count]
                    let part = try inspector.inspect(bytes: sample.bytes).root.children.first
                    return part?.trueType == sample.type
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }

    /// Each libmagic handle keeps the rules' regular expressions it compiled (MB each), so the
    /// pool is bounded: 32 threads asking at once share a few pairs and all get the answer.
    @Test func magicHandlesAreBoundedUnderConcurrency() {
        let pool = MagicPool(maxPairs: 3)
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: 32) { iteration in
            for _ in 0..<5 {
                let bytes = iteration % 2 == 0 ? Fixture.png : Fixture.pdf
                let expected = iteration % 2 == 0 ? "image/png" : "application/pdf"
                let type = pool.identify(bytes).mimeType
                if type != expected { failures.add("iteration \(iteration): \(type ?? "nil")") }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(pool.pairCount <= 3, "\(pool.pairCount) pairs for 32 threads")
        #expect(pool.pairCount >= 1)
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ failure: String) { lock.withLock { list.append(failure) } }
    var all: [String] { lock.withLock { list } }
}
