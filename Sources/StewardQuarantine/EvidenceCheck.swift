/// Checks the held messages against the audit trail (clause 13): each message's bytes must
/// still have the SHA-256 the trail recorded when it was held, and its state and legal hold
/// must be what the trail's entries about it add up to. A chain that verifies proves only
/// that the trail is whole; this proves the store still says what the trail says.
public enum EvidenceCheck {
    /// What the trail says about one message.
    struct Expected {
        var present = false
        var state: HoldState = .held
        var legalHold = false
        var sha256: String?
    }

    /// Problems, empty when every message agrees with the trail. `digests` holds the SHA-256
    /// recomputed from each message's stored bytes (no entry when its bytes were erased).
    public static func problems(messages: [HeldMessage], digests: [Int64: String], trail: [AuditEntry]) -> [String] {
        var expected: [Int64: Expected] = [:]
        for item in trail {
            guard let id = item.entry.messageID else { continue }
            var state = expected[id] ?? Expected()
            switch item.entry.action {
            case .hold, .report:
                state.present = true
                state.state = .held
                state.sha256 = recordedDigest(item.entry.detail)
            case .release: state.state = .released
            case .releaseFailed: state.state = .held
            case .refuse: state.state = .refused
            case .delete: state.state = .deleted
            case .legalHold: state.legalHold = true
            case .legalHoldLifted: state.legalHold = false
            case .purge: state.present = false
            case .notify, .view, .export, .releaseDelivered, .policyReload, .policyPromote, .policyDiscard, .policyException, .passwordSet, .secondFactorSet: break
            }
            expected[id] = state
        }
        var problems: [String] = []
        var seen = Set<Int64>()
        for message in messages.sorted(by: { $0.id < $1.id }) {
            seen.insert(message.id)
            guard let trail = expected[message.id], trail.present else {
                problems.append(
                    "message #\(message.id): the trail has no hold of it, or says it was purged (added to the store behind the trail's back)")
                continue
            }
            if message.state != trail.state {
                problems.append(
                    "message #\(message.id): the store says \(message.state.rawValue), the trail says \(trail.state.rawValue) (its state was changed without the trail)")
            }
            if message.legalHold != trail.legalHold {
                problems.append(
                    "message #\(message.id): the store says legal hold \(message.legalHold ? "on" : "off"), the trail says \(trail.legalHold ? "on" : "off")")
            }
            guard let recorded = trail.sha256 else {
                problems.append("message #\(message.id): its hold entry records no SHA-256")
                continue
            }
            if message.sha256 != recorded {
                problems.append("message #\(message.id): the SHA-256 in the store is not the one the trail recorded when it was held")
            }
            if message.state != .deleted {
                if let digest = digests[message.id], digest != recorded {
                    problems.append("message #\(message.id): its stored bytes no longer have the SHA-256 recorded when it was held (altered)")
                } else if digests[message.id] == nil {
                    problems.append("message #\(message.id): its bytes are gone though the trail records no deletion")
                }
            }
        }
        for (id, trail) in expected.sorted(by: { $0.key < $1.key }) where trail.present && !seen.contains(id) {
            problems.append("message #\(id): held on the trail but missing from the store (removed without a purge entry)")
        }
        return problems
    }

    /// SHA-256 of stored bytes, lower-case hex, as the store records it.
    public static func digest(_ bytes: [UInt8]) -> String {
        SHA256Hex.digest(bytes)
    }

    /// The digest a hold entry records: its detail starts `sha256 <64 hex digits>`.
    static func recordedDigest(_ detail: String?) -> String? {
        guard let detail, detail.hasPrefix("sha256 ") else { return nil }
        let digest = detail.dropFirst("sha256 ".count).prefix(64)
        return digest.count == 64 ? String(digest) : nil
    }
}
