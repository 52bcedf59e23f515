public import Foundation
import StewardCore

/// What happened, for the audit trail (clause 13).
public enum AuditAction: String, Sendable, Hashable, Codable, CaseIterable {
    case hold, report, notify, view, release, releaseDelivered = "release-delivered", releaseFailed = "release-failed"
    case refuse, delete, legalHold = "legal-hold", legalHoldLifted = "legal-hold-lifted", purge, export
    case policyReload = "policy-reload"
    /// A branch's candidate policy became its live one (the detail holds the change).
    case policyPromote = "policy-promote"
    /// A branch's candidate policy was thrown away (the detail holds what it would have changed).
    case policyDiscard = "policy-discard"
    /// A sender was allowed for a rule in a branch's candidate policy, on releasing one of
    /// their messages (the detail holds the change; the live policy is untouched).
    case policyException = "policy-exception"
    /// A review app password was set or changed (the hash is never on the trail).
    case passwordSet = "password-set"
    /// A review app second factor (TOTP) was set up or removed (no secret is on the trail).
    case secondFactorSet = "second-factor-set"
}

/// An entry about to be appended.
public struct NewAuditEntry: Sendable, Hashable {
    public var at: Date
    /// Who: an official's login or address, `steward` for the milter itself, `admin` for the CLI.
    public var actor: String
    public var action: AuditAction
    public var messageID: Int64?
    public var reason: String?
    public var detail: String?

    public init(at: Date = Date(), actor: String, action: AuditAction, messageID: Int64? = nil, reason: String? = nil, detail: String? = nil) {
        self.at = at
        self.actor = actor
        self.action = action
        self.messageID = messageID
        self.reason = reason
        self.detail = detail
    }
}

/// An entry of the append-only, hash-chained audit trail: each entry carries the hash of the one
/// before it, so an edited, removed or reordered entry breaks the chain from there on.
public struct AuditEntry: Sendable, Hashable {
    public var sequence: Int64
    public var entry: NewAuditEntry
    public var previousHash: String
    public var hash: String

    public init(sequence: Int64, entry: NewAuditEntry, previousHash: String, hash: String) {
        self.sequence = sequence
        self.entry = entry
        self.previousHash = previousHash
        self.hash = hash
    }
}

public enum AuditChain {
    /// The hash before the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// HMAC-SHA256 with the audit key (plain SHA-256 without one: entries written before the
    /// store had a key) over the previous hash and every field, in a fixed text form. Times are
    /// stored and hashed as whole milliseconds so every backend reproduces the same bytes.
    public static func hash(sequence: Int64, entry: NewAuditEntry, previousHash: String, anchor: AuditAnchor? = nil) -> String {
        let fields: [String] = [
            previousHash, String(sequence), String(milliseconds(entry.at)), entry.actor, entry.action.rawValue,
            entry.messageID.map(String.init) ?? "", entry.reason ?? "", entry.detail ?? "",
        ]
        // Length-prefixed so no field can borrow text from its neighbour.
        let text = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return anchor?.mac(text) ?? SHA256Hex.digest(Array(text.utf8))
    }

    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Problems in a chain read back in sequence order; empty when it verifies. With an anchor,
    /// every entry after the adopted ones must carry the key's HMAC, and every signed
    /// checkpoint must still be in the chain: a chain recomputed without the key, or one whose
    /// newest entries were removed, fails.
    public static func verify(_ entries: [AuditEntry], anchor: AuditAnchor? = nil, checkpoints: [AuditCheckpoint?] = []) -> [String] {
        var problems: [String] = []
        var genuine: [AuditCheckpoint] = []
        for (index, checkpoint) in checkpoints.enumerated() {
            guard let checkpoint, let anchor, anchor.isGenuine(checkpoint) else {
                problems.append("checkpoint line \(index + 1): not signed with this host's audit key (altered or forged)")
                continue
            }
            genuine.append(checkpoint)
        }
        // Entries up to here predate the key: plain SHA-256, as they stood when it was made.
        let adoptedUpTo = anchor == nil ? Int64.max : genuine.filter { $0.kind == .adopted }.map(\.sequence).max() ?? 0
        var previous = genesis
        var expectedSequence: Int64 = 1
        var hashes: [Int64: String] = [:]
        for entry in entries {
            if entry.sequence != expectedSequence {
                problems.append("entry \(entry.sequence): expected entry \(expectedSequence) here (an entry was removed or reordered)")
            }
            if entry.previousHash != previous {
                problems.append("entry \(entry.sequence): does not follow the entry before it (removed, inserted or reordered)")
            }
            let keyed = entry.sequence > adoptedUpTo ? anchor : nil
            let recomputed = hash(sequence: entry.sequence, entry: entry.entry, previousHash: entry.previousHash, anchor: keyed)
            if recomputed != entry.hash {
                problems.append(
                    keyed == nil
                        ? "entry \(entry.sequence): its content does not match its hash (edited)"
                        : "entry \(entry.sequence): its hash was not made with this host's audit key (edited, or the chain was recomputed)")
            }
            hashes[entry.sequence] = entry.hash
            previous = entry.hash
            expectedSequence = entry.sequence + 1
        }
        let last = entries.last?.sequence ?? 0
        for checkpoint in genuine {
            let when = checkpoint.at.formatted(.iso8601)
            if checkpoint.sequence > last {
                problems.append(
                    "checkpoint of \(when) saw entry \(checkpoint.sequence), but the trail ends at entry \(last) (entries were removed from the end)")
            } else if checkpoint.sequence > 0, hashes[checkpoint.sequence] != checkpoint.hash {
                problems.append("entry \(checkpoint.sequence): differs from the checkpoint of \(when) (the trail was rewritten)")
            }
        }
        return problems
    }
}

extension NewAuditEntry {
    /// The entry with every text cleaned (`UntrustedText`): a reason, a reporter or a file
    /// name can carry no forged line or terminal escape into the trail.
    public var cleaned: NewAuditEntry {
        var entry = self
        entry.actor = UntrustedText.cleaned(actor)
        entry.reason = reason.map(UntrustedText.cleaned)
        entry.detail = detail.map(UntrustedText.cleaned)
        return entry
    }
}
