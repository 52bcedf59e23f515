import Foundation
import StewardCore
import StewardQuarantine
import StewardTestSupport
import Synchronization
import Testing

/// Clause 12's rate per login: the counter in the store, a row per login and minute.
@Suite struct LoginRateStoreTests {
    static func counter(_ backend: StoreBackend) async throws -> any LoginRateStore {
        try #require(try await backend.make() as? any LoginRateStore)
    }

    /// A fixed instant in the middle of a minute, so a test never straddles a minute boundary.
    static let noon = Date(timeIntervalSince1970: 1_800_000_030)

    @Test(arguments: StoreBackend.allCases)
    func countsAddUpOverASlidingHourAndOldMinutesFallOut(backend: StoreBackend) async throws {
        let store = try await Self.counter(backend)
        let start = Self.noon
        #expect(try await store.countMessage(login: "jbloggs", recipients: 3, at: start) == LoginActivity(login: "jbloggs", messages: 1, recipients: 3))
        #expect(try await store.countMessage(login: "jbloggs", recipients: 2, at: start) == LoginActivity(login: "jbloggs", messages: 2, recipients: 5))
        // Another login has its own count.
        #expect(try await store.countMessage(login: "other", recipients: 1, at: start).messages == 1)
        // 59 minutes later the first minute still counts; 60 minutes later it has left the hour.
        #expect(try await store.countMessage(login: "jbloggs", recipients: 1, at: start.addingTimeInterval(59 * 60)) == LoginActivity(login: "jbloggs", messages: 3, recipients: 6))
        #expect(try await store.countMessage(login: "jbloggs", recipients: 1, at: start.addingTimeInterval(60 * 60)) == LoginActivity(login: "jbloggs", messages: 2, recipients: 2))
        #expect(try await store.countMessage(login: "other", recipients: 1, at: start.addingTimeInterval(61 * 60)).messages == 1)
    }

    @Test func staleCountsAreDeletedAndCountsSurviveARestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("steward-rate-\(UUID().uuidString)/quarantine.sqlite").path
        do {
            let store = try SQLiteQuarantineStore(path: path)
            for minute in 0..<5 { _ = try await store.countMessage(login: "old", recipients: 1, at: Self.noon.addingTimeInterval(Double(minute) * 60)) }
            _ = try await store.countMessage(login: "jbloggs", recipients: 4, at: Self.noon.addingTimeInterval(70 * 60))
        }
        // A new process opening the same file sees the counts (the store is the memory, not the process).
        let reopened = try SQLiteQuarantineStore(path: path)
        await #expect(try reopened.countMessage(login: "jbloggs", recipients: 1, at: Self.noon.addingTimeInterval(71 * 60)) == LoginActivity(login: "jbloggs", messages: 2, recipients: 5))
        // Only the live minutes are left: the five minutes of "old", an hour ago, were expired.
        let rows = try Command.run("sqlite3", [path, "SELECT login || ':' || messages FROM login_minute ORDER BY minute"])
        #expect(rows.output.split(separator: "\n") == ["jbloggs:1", "jbloggs:1"], "\(rows.output)")
    }

    @Test(arguments: StoreBackend.allCases)
    func concurrentMessagesFromManyThreadsEachSeeTheirOwnCount(backend: StoreBackend) async throws {
        let store = try await Self.counter(backend)
        let threads = 8, perThread = 25
        let results = await MilterThreads.run(count: threads) { _ in
            var seen: [Int] = []
            var failures: [String] = []
            for _ in 0..<perThread {
                do {
                    seen.append(try await store.countMessage(login: "runaway", recipients: 2, at: Self.noon).messages)
                } catch {
                    failures.append("\(error)")
                }
            }
            return (seen, failures)
        }
        let seen = results.flatMap(\.0), failures = results.flatMap(\.1)
        #expect(failures == [])
        // Nothing lost, nothing counted twice: every message saw a different total.
        #expect(seen.sorted() == Array(1...(threads * perThread)))
        #expect(try await store.countMessage(login: "runaway", recipients: 0, at: Self.noon) == LoginActivity(login: "runaway", messages: threads * perThread + 1, recipients: threads * perThread * 2))
    }

    /// Two mail hosts on one PostgreSQL: each store has its own connection, and together they count.
    @Test func twoConnectionsOnOnePostgreSQLCountTogetherAndNoticeOnce() async throws {
        let lab = try PostgresLab.shared.get()
        let database = try lab.createDatabase()
        var hosts: [PostgresQuarantineStore] = []
        for _ in 0..<2 {
            hosts.append(try await PostgresQuarantineStore.start(settings: .init(socketPath: lab.socketPath, user: "postgres", database: database)))
        }
        var seen: [Int] = []
        var claims = 0
        var failures: [String] = []
        await withTaskGroup(of: ([Int], Int, [String]).self) { group in
            for index in 0..<6 {
                let host = hosts[index % 2]
                group.addTask {
                    var seen: [Int] = []
                    var claims = 0
                    var failures: [String] = []
                    for _ in 0..<20 {
                        do {
                            let counted = try await host.countMessage(login: "jbloggs", recipients: 1, at: Self.noon)
                            seen.append(counted.messages)
                            if counted.messages > 40, try await host.claimRateNotice(login: "jbloggs", at: Self.noon) { claims += 1 }
                        } catch {
                            failures.append("\(error)")
                        }
                    }
                    return (seen, claims, failures)
                }
            }
            for await (counted, claimed, failed) in group {
                seen += counted
                claims += claimed
                failures += failed
            }
        }
        #expect(failures == [])
        #expect(seen.sorted() == Array(1...120))
        #expect(claims == 1, "the senior official is told once, whichever host holds the mail")
        #expect(try lab.sql("SELECT messages FROM login_minute WHERE login = 'jbloggs'", database: database).trimmingCharacters(in: .whitespacesAndNewlines) == "120")
    }

    @Test(arguments: StoreBackend.allCases)
    func theRateNoticeIsClaimedOnceAnHour(backend: StoreBackend) async throws {
        let store = try await Self.counter(backend)
        #expect(try await store.claimRateNotice(login: "jbloggs", at: Self.noon))
        await #expect(try !store.claimRateNotice(login: "jbloggs", at: Self.noon.addingTimeInterval(60)))
        #expect(try await store.claimRateNotice(login: "other", at: Self.noon.addingTimeInterval(60)))
        await #expect(try !store.claimRateNotice(login: "jbloggs", at: Self.noon.addingTimeInterval(59 * 60)))
        #expect(try await store.claimRateNotice(login: "jbloggs", at: Self.noon.addingTimeInterval(60 * 60)))
    }
}
