import Foundation
import StewardCore
import StewardEngine
import StewardQuarantine
import StewardTestSupport
import Testing

/// Clause 13: someone holding only the database file (a backup, a copy, write access to
/// /var/lib/steward/quarantine.sqlite) rewrites the evidence; `steward audit verify`, which
/// has the key and the checkpoints beside the release secret, must notice every attack.
@Suite struct AuditAnchorTests {
    /// A store as `steward serve` makes it: SQLite, anchored by the key beside the release secret.
    final class Setup {
        let directory: TemporaryDirectory
        let config: String
        let storePath: String
        let store: any QuarantineStore
        var ids: [Int64] = []

        init() async throws {
            directory = try TemporaryDirectory("audit")
            storePath = directory.path("quarantine.sqlite")
            config = directory.path("steward.yaml")
            try """
                store:
                  sqlite: \(storePath)
                release:
                  secret_file: \(directory.path("keys/release.key"))
                mta:
                  sendmail: /bin/false

                """.write(toFile: config, atomically: true, encoding: .utf8)
            store = try await StewardConfig.load(from: URL(fileURLWithPath: config)).openStore()
            for index in 1...3 {
                let verdict = Verdict(
                    action: .quarantine, direction: .incoming, branches: ["london"],
                    findings: [Finding(kind: "unsafe-attachment", rule: "eicar-test-signature", clause: "10(f)(viii)", detail: "x", branch: "london", action: .quarantine)])
                ids.append(try await store.hold(NewHold(
                    envelope: Envelope(sender: "a@partner.example", recipients: ["b@london.union.example"]),
                    verdict: verdict, raw: Array("Subject: \(index)\r\n\r\nbody \(index)\r\n".utf8))))
            }
            _ = try await store.apply(.refuse(by: "sam", reason: "harmful"), to: ids[0])
            _ = try await store.apply(.legalHold(true, by: "sam", reason: "tribunal"), to: ids[1])
        }

        func verify() throws -> CommandResult {
            try Command.run(PackagePaths.stewardBinary.path, ["audit", "verify", "--config", config], timeout: 60)
        }

        func sql(_ statement: String) throws {
            let result = try Command.run("sqlite3", [storePath, statement], timeout: 30)
            guard result.succeeded else { throw TestFailure("sqlite3: \(result.error)") }
        }

        /// The attacker's tool: recomputes every entry's hash as the chain was made before it had
        /// a key (plain SHA-256, the algorithm is public), so the chain links up again.
        func recomputeChain(anchor: AuditAnchor? = nil) async throws {
            let entries = try await SQLiteQuarantineStore(path: storePath).auditTrail(messageID: nil)
            var statements = ["BEGIN"]
            var previous = AuditChain.genesis
            for (index, entry) in entries.enumerated() {
                let sequence = Int64(index + 1)
                let hash = AuditChain.hash(sequence: sequence, entry: entry.entry, previousHash: previous, anchor: anchor)
                statements.append(
                    "UPDATE audit_entry SET sequence = \(sequence), previous_hash = '\(previous)', hash = '\(hash)' WHERE sequence = \(entry.sequence)")
                previous = hash
            }
            statements.append("COMMIT")
            try sql(statements.joined(separator: ";\n"))
        }
    }

    @Test func anUntouchedStoreVerifies() async throws {
        let setup = try await Setup()
        let result = try setup.verify()
        #expect(result.status == 0, "\(result.output)\(result.error)")
        #expect(result.output.contains("held messages: 3"), "\(result.output)")
        // The key and the checkpoints are files of their own, owner-only, outside the database.
        let keys = setup.directory.path("keys")
        for name in [AuditAnchor.keyFileName, AuditAnchor.checkpointsFileName] {
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(keys)/\(name)")
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(name)")
        }
    }

    @Test func removingTheNewestEntriesIsFound() async throws {
        let setup = try await Setup()
        // The chain still links up after its tail is cut: only the checkpoints can tell.
        try setup.sql("DELETE FROM audit_entry WHERE sequence > 3")
        let result = try setup.verify()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("entries were removed from the end"), "\(result.output)")
    }

    @Test func recomputingTheChainAfterRemovingEntriesIsFound() async throws {
        let setup = try await Setup()
        // Remove the refusal and the legal hold, put the state back, relink the chain.
        try setup.sql("""
            DELETE FROM audit_entry WHERE action IN ('refuse', 'legal-hold');
            UPDATE held_message SET state = 'held', state_reason = NULL, legal_hold = 0
            """)
        try await setup.recomputeChain()
        let result = try setup.verify()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("not made with this host's audit key"), "\(result.output)")
        #expect(result.output.contains("entries were removed from the end"), "\(result.output)")
    }

    @Test func aChainRecomputedWithAnotherKeyIsFound() async throws {
        let setup = try await Setup()
        try setup.sql("DELETE FROM audit_entry WHERE action = 'refuse'")
        let other = try AuditAnchor.load(directory: URL(fileURLWithPath: setup.directory.path("elsewhere")))
        try await setup.recomputeChain(anchor: other)
        let result = try setup.verify()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("not made with this host's audit key"), "\(result.output)")
    }

    @Test func aStateChangedBehindTheTrailIsFound() async throws {
        let setup = try await Setup()
        try setup.sql("UPDATE held_message SET state = 'released' WHERE id = \(setup.ids[2])")
        try setup.sql("UPDATE held_message SET legal_hold = 0 WHERE id = \(setup.ids[1])")
        let result = try setup.verify()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("message #\(setup.ids[2]): the store says released, the trail says held"), "\(result.output)")
        #expect(result.output.contains("message #\(setup.ids[1]): the store says legal hold off, the trail says on"), "\(result.output)")
    }

    @Test func storedBytesChangedWithTheirDigestAreFound() async throws {
        let setup = try await Setup()
        // The attacker changes the bytes and writes the matching SHA-256 beside them.
        let forged = Array("Subject: 3\r\n\r\nsomething else\r\n".utf8)
        let hex = forged.map { String(format: "%02x", $0) }.joined()
        try setup.sql(
            "UPDATE held_message SET raw = x'\(hex)', sha256 = '\(EvidenceCheck.digest(forged))', size = \(forged.count) WHERE id = \(setup.ids[2])")
        let result = try setup.verify()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("message #\(setup.ids[2]): the SHA-256 in the store is not the one the trail recorded"), "\(result.output)")
        #expect(result.output.contains("message #\(setup.ids[2]): its stored bytes no longer have the SHA-256"), "\(result.output)")
    }

    @Test func aMessageRemovedWithoutAPurgeIsFound() async throws {
        let setup = try await Setup()
        try setup.sql("DELETE FROM held_message WHERE id = \(setup.ids[0])")
        let result = try setup.verify()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("message #\(setup.ids[0]): held on the trail but missing from the store"), "\(result.output)")
    }

    @Test func aForgedCheckpointIsFound() async throws {
        let setup = try await Setup()
        let file = setup.directory.path("keys/\(AuditAnchor.checkpointsFileName)")
        let handle = try #require(FileHandle(forWritingAtPath: file))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("head 99 \(String(repeating: "0", count: 64)) 0 \(String(repeating: "ab", count: 32))\n".utf8))
        try handle.close()
        let result = try setup.verify()
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("not signed with this host's audit key"), "\(result.output)")
    }

    @Test func aCheckpointFromADigestCatchesATrailCutBackWithItsFile() async throws {
        let setup = try await Setup()
        // The newest entry records a view of content: cutting it leaves every state as it was.
        try await setup.store.appendAudit(NewAuditEntry(actor: "sam", action: .view, messageID: setup.ids[0], reason: "read"))
        let anchor = try StewardConfig.load(from: URL(fileURLWithPath: setup.config)).auditAnchor()
        let head = try #require(anchor.latest())
        // Root cuts the trail and the checkpoint file back; the copy in an official's digest remains.
        try setup.sql("DELETE FROM audit_entry WHERE sequence = \(head.sequence)")
        try "".write(toFile: anchor.checkpointsPath, atomically: true, encoding: .utf8)
        let alone = try setup.verify()
        #expect(alone.status == 0, "without the copy nothing is left to compare with: \(alone.output)")
        let result = try Command.run(
            PackagePaths.stewardBinary.path, ["audit", "verify", "--config", setup.config, "--checkpoint", head.line], timeout: 60)
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("entries were removed from the end"), "\(result.output)")
    }

    @Test func aTrailFromBeforeTheKeyIsTakenOverAndStillChecked() async throws {
        let directory = try TemporaryDirectory("audit-legacy")
        let path = directory.path("quarantine.sqlite")
        // Written by a Steward without an audit key: plain SHA-256 entries.
        let old = try SQLiteQuarantineStore(path: path)
        try await old.appendAudit(NewAuditEntry(actor: "admin", action: .policyReload))
        try await old.appendAudit(NewAuditEntry(actor: "admin", action: .policyReload))
        let anchor = try AuditAnchor.load(directory: directory.url)
        let store = try SQLiteQuarantineStore(path: path, anchor: anchor)
        try await store.appendAudit(NewAuditEntry(actor: "admin", action: .policyReload))
        let trail = try await store.auditTrail(messageID: nil)
        #expect(AuditChain.verify(trail, anchor: anchor, checkpoints: try anchor.checkpoints()).isEmpty)
        #expect(try anchor.checkpoints().first??.kind == .adopted)
        // The adopted part is still a chain: editing it is found.
        var edited = trail
        edited[0].entry.actor = "someone else"
        #expect(!AuditChain.verify(edited, anchor: anchor, checkpoints: try anchor.checkpoints()).isEmpty)
    }

    @Test func theStoreIsCreatedOwnerOnlyWhateverTheUmask() async throws {
        let directory = try TemporaryDirectory("store-mode")
        let path = directory.path("quarantine.sqlite")
        // An admin's shell: umask 022 would make new files 0644.
        let previous = umask(0o022)
        defer { umask(previous) }
        let store = try SQLiteQuarantineStore(path: path)
        try await store.appendAudit(NewAuditEntry(actor: "admin", action: .policyReload))
        for file in [path, path + "-journal", path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file) is \(String(mode ?? 0, radix: 8))")
        }
        // A rollback journal (TRUNCATE): the emptied -journal file stays beside the store.
        #expect(FileManager.default.fileExists(atPath: path + "-journal"), "the -journal file exists once the store has been written")
    }
}
