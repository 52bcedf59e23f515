import Foundation
import StewardCore
import StewardQuarantine
import StewardTestSupport
import Testing

/// A PostgreSQL restart under a running host (issue 13): while the server is down every hold
/// fails promptly (the milter answers 451 and Postfix keeps the message), and once it is back
/// the same store object works again, without restarting Steward.
@Suite struct PostgresRestartTests {
    static func hold(_ subject: String) -> NewHold {
        NewHold(
            envelope: Envelope(sender: "a@example.org", recipients: ["b@london.union.example"]),
            verdict: Verdict(action: .quarantine, direction: .incoming, branches: ["london"], findings: []),
            raw: Array("Message-ID: <\(subject)@example.org>\r\nSubject: \(subject)\r\n\r\nbody\r\n".utf8),
            deadline: Date().addingTimeInterval(5), retryWindow: 3600)
    }

    @Test func holdsFailPromptlyWhileTheServerIsDownAndWorkOnceItIsBack() async throws {
        let lab = try PostgresLab()  // its own server: this test stops it
        defer { lab.stop() }
        let store = try await PostgresQuarantineStore.start(settings: .init(socketPath: lab.socketPath, user: "postgres", database: try lab.createDatabase()))
        // Each hold as the milter makes it (MilterThreads): timed on its own thread.
        // The message before the stop is only the setup: no deadline (the pool's first connection
        // is opened for it, which a loaded test machine can take seconds over).
        var first = Self.hold("before")
        first.deadline = nil
        let before = try await MilterThreads.holdOnce(first, in: store).0.get()

        lab.stop(mode: "fast")
        for attempt in 1...3 {
            let (outcome, waited) = await MilterThreads.holdOnce(Self.hold("down"), in: store)
            #expect(throws: QuarantineError.self, "attempt \(attempt)") { try outcome.get() }
            #expect(waited < 6, "a hold waited \(waited) s on a stopped server")
        }

        try lab.start()
        var after: HoldOutcome?
        var failures: [String] = []
        // The pool reconnects in the background, the less often the longer the server was away
        // (at most a minute between tries): each hold keeps its 5 s deadline, for up to 15 tries.
        for _ in 0..<15 where after == nil {
            switch await MilterThreads.holdOnce(Self.hold("down"), in: store).0 {
            case .success(let outcome): after = outcome
            case .failure(let error):
                failures.append("\(error)")
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let recovered = try #require(after, "the store did not recover after the restart: \(failures)")
        // An attempt answered at its deadline while the server came back may still have
        // committed after it; the next attempt then finds the message held (a retry), so it is
        // held once either way, and nothing from the attempts while the server was down is.
        #expect(recovered.id != before.id)
        #expect(try await store.list(limit: 10).count == 2, "the message is held once")
    }
}
