import CoreMetrics
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import StewardEngine
import StewardMilter
import StewardQuarantine

/// `/metrics` (Prometheus's text format) and `/healthz`, on `metrics.listen` (loopback in the
/// shipped config; no authentication, so never on a public address). The counters and timers
/// are recorded where things happen (`FilterMetrics`); the gauges below are read at each
/// scrape. A port that cannot be bound disables the endpoint with one log line; mail flows on.
struct MetricsService: Service {
    let listen: MetricsListen
    let registry: PrometheusCollectorRegistry
    let health: Health
    let logger: Logger

    /// What `/healthz` and the gauges look at.
    struct Health: Sendable {
        let milter: MilterService
        let store: any QuarantineStore
        let policy: PolicyHolder
        /// The filesystems watched for free space, by name (`spool`, `store`).
        let disks: [(name: String, path: String)]

        /// Each part's state: "ok", or what is wrong.
        func check() async -> [(part: String, state: String)] {
            var store = "ok"
            do { _ = try await self.store.pendingNotices() } catch { store = "\(error)" }
            return [
                ("milter", milter.isServing ? "ok" : "not serving"),
                ("store", store),
                ("policy", policy.lastReloadProblem.map { "last reload refused: \($0)" } ?? "ok"),
            ]
        }

        /// The gauges, set just before a scrape is written.
        func refreshGauges() async {
            if let counts = try? await store.countByState() {
                for state in HoldState.allCases {
                    Gauge(label: "steward_held_messages", dimensions: [("state", state.rawValue)]).record(counts[state] ?? 0)
                }
            }
            if let pending = try? await store.pendingNotices() {
                Gauge(label: "steward_notices_pending").record(pending.count)
            }
            for disk in disks {
                if let free = DiskSpaceWatch.freeBytes(at: disk.path) {
                    Gauge(label: "steward_free_bytes", dimensions: [("disk", disk.name)]).record(free)
                }
            }
        }
    }

    func run() async throws {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            await health.refreshGauges()
            var text: [UInt8] = []
            registry.emit(into: &text)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        router.get("/healthz") { _, _ -> Response in
            let parts = await health.check()
            let well = parts.allSatisfy { $0.state == "ok" }
            let fields = parts.map { "\"\($0.part)\":\"\(Self.jsonEscaped($0.state))\"" }.joined(separator: ",")
            return Response(
                status: well ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: "{\"status\":\"\(well ? "ok" : "failing")\",\(fields)}\n")))
        }
        let app = Application(
            router: router, configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil),
            logger: logger)
        do {
            logger.notice("metrics listening", metadata: ["metrics.listen": "\(listen.text)"])
            try await app.run()
        } catch {
            logger.error("metrics endpoint disabled; the milter keeps running", metadata: [
                "metrics.problem": "\(error)", "metrics.listen": "\(listen.text)",
            ])
            try? await gracefulShutdown()
        }
    }

    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
