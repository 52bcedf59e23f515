import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StewardTestSupport
import Testing

extension EndToEndTests {
    /// `/metrics` and `/healthz` of a real `steward serve`, scraped over loopback after mail
    /// went through the Postfix lab.
    @Suite("Metrics")
    struct Metrics {
        typealias Address = EndToEndTests.Address

        static func fetch(_ url: String) async throws -> (status: Int, text: String) {
            let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }

        /// The value of the sample whose line starts with `prefix` (name and labels), or nil.
        static func sample(_ text: String, _ prefix: String) -> Double? {
            text.split(separator: "\n").first { $0.hasPrefix(prefix + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }

        // The lab submits from loopback, inside the union's networks: the direction is internal.
        @Test("after a clean and an unsafe message the counters, histograms and gauges moved; /healthz is well")
        func countersMoveWithMail() async throws {
            try EndToEndTests.requireLab()
            let lab = try PostfixLab(milter: .labSocket)
            defer { lab.stop() }
            let port = try TestSupport.freeLoopbackPort()
            let steward = try StewardServe(lab: lab, extraConfig: "metrics:\n  listen: 127.0.0.1:\(port)\n")
            defer { steward.stop() }
            let base = "http://127.0.0.1:\(port)"
            var health: (status: Int, text: String)?
            for _ in 0..<100 where health == nil {
                health = try? await Self.fetch(base + "/healthz")
                if health == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            let first = try #require(health, "the metrics endpoint did not answer:\n\(steward.log)")
            #expect(first.status == 200, "\(first.text)")
            #expect(first.text.contains("\"milter\":\"ok\"") && first.text.contains("\"store\":\"ok\"") && first.text.contains("\"policy\":\"ok\""), "\(first.text)")

            let clean = try lab.submit(Samples.clean(id: "metrics-clean"), from: Address.external, to: [Address.member])
            #expect(clean.accepted, "\(clean)")
            let unsafe = try lab.submit(Samples.eicarAttachment(id: "metrics-unsafe"), from: Address.external, to: [Address.member])
            #expect(unsafe.accepted, "\(unsafe)")
            #expect(try lab.waitForEmptyQueue(timeout: 60))

            let (status, text) = try await Self.fetch(base + "/metrics")
            #expect(status == 200)
            #expect(Self.sample(text, "steward_messages_total{direction=\"internal\",action=\"accept\"}") == 1, "\(text)")
            #expect(Self.sample(text, "steward_messages_total{direction=\"internal\",action=\"quarantine\"}") == 1, "\(text)")
            #expect(Self.sample(text, "steward_findings_total{rule=\"eicar-test-signature\",branch=\"london\"}") == 1, "\(text)")
            #expect((Self.sample(text, "steward_inspection_seconds_count") ?? 0) >= 2, "\(text)")
            #expect(Self.sample(text, "steward_store_seconds_count") == 1, "\(text)")
            #expect(Self.sample(text, "steward_held_messages{state=\"held\"}") == 1, "\(text)")
            #expect(Self.sample(text, "steward_notices_pending") != nil, "\(text)")
            #expect((Self.sample(text, "steward_free_bytes{disk=\"spool\"}") ?? 0) > 0, "\(text)")
            #expect(!text.contains(Address.member) && !text.contains(Address.external), "no address in the metrics")
        }
    }
}
