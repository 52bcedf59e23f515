public import Foundation

/// What someone asks of one held message: an official's decision, the milter recording a
/// release's delivery, retention removing it, a person reading or exporting it.
public struct HoldCommand: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        /// Deliver it (the store marks it released before anything is sent).
        case release
        /// The MTA refused the release: back to held, nothing lost.
        case releaseFailed
        case refuse
        /// Erase its bytes; the record and its trail stay.
        case delete
        case legalHold
        case liftLegalHold
        /// Retention ended: remove bytes and record; the trail keeps the SHA-256.
        case purge
        /// A released message came back through Steward: one copy may pass, once.
        case recordDelivery
        /// A person reads the content (clause 14: with a recorded reason).
        case view
        /// The content is written out as evidence.
        case export
    }

    public var action: Action
    public var actor: String
    public var reason: String?
    /// Extra words for the audit entry (what was viewed, where it was exported, the queue id).
    public var detail: String?

    public init(_ action: Action, actor: String, reason: String? = nil, detail: String? = nil) {
        self.action = action
        self.actor = actor
        self.reason = reason
        self.detail = detail
    }

    public static func release(by actor: String, reason: String?) -> Self { .init(.release, actor: actor, reason: reason) }
    public static func releaseFailed(by actor: String, reason: String?) -> Self { .init(.releaseFailed, actor: actor, reason: reason) }
    public static func refuse(by actor: String, reason: String?) -> Self { .init(.refuse, actor: actor, reason: reason) }
    public static func delete(by actor: String, reason: String?) -> Self { .init(.delete, actor: actor, reason: reason) }
    public static func legalHold(_ on: Bool, by actor: String, reason: String?) -> Self {
        .init(on ? .legalHold : .liftLegalHold, actor: actor, reason: reason)
    }
    public static func purge(by actor: String, reason: String?) -> Self { .init(.purge, actor: actor, reason: reason) }
    /// The milter saw the released copy (`queueID`: the MTA's id for it).
    public static func recordDelivery(queueID: String?) -> Self {
        .init(.recordDelivery, actor: "steward", detail: queueID.map { "queue id \($0)" })
    }
    public static func view(by actor: String, reason: String?, detail: String? = nil) -> Self {
        .init(.view, actor: actor, reason: reason, detail: detail)
    }
    public static func export(by actor: String, reason: String?, to place: String) -> Self {
        .init(.export, actor: actor, reason: reason, detail: place)
    }
}

/// What a backend reads about a message, with its row locked, before asking the lifecycle.
public struct HoldRecord: Sendable, Hashable {
    public var id: Int64
    public var state: HoldState
    public var legalHold: Bool
    public var sha256: String
    /// Whether the released copy already came back through Steward (`release-delivered`).
    public var releaseDelivered: Bool

    public init(id: Int64, state: HoldState, legalHold: Bool, sha256: String, releaseDelivered: Bool = false) {
        self.id = id
        self.state = state
        self.legalHold = legalHold
        self.sha256 = sha256
        self.releaseDelivered = releaseDelivered
    }
}

/// What the backend must do, in the same transaction, for a command the lifecycle allowed.
public struct HoldEffects: Sendable, Hashable {
    /// A new state, recorded with who changed it, why and when.
    public struct StateChange: Sendable, Hashable {
        public var state: HoldState
        public var reason: String?
        public var by: String
        public var at: Date
    }

    public enum Content: Sendable, Hashable {
        case kept
        /// The bytes are erased; the record stays.
        case erased
        /// Bytes and record are removed.
        case removed
    }

    public var stateChange: StateChange?
    public var legalHold: Bool?
    public var content: Content = .kept
    /// Exactly one entry per allowed command: no change without its record.
    public var audit: NewAuditEntry

    public init(stateChange: StateChange? = nil, legalHold: Bool? = nil, content: Content = .kept, audit: NewAuditEntry) {
        self.stateChange = stateChange
        self.legalHold = legalHold
        self.content = content
        self.audit = audit
    }
}

/// The quarantine's rules, once, for every backend and every caller (postgres-nio's style: a
/// pure function from a command and the state to the effects, tested with no database). A
/// backend locks the message's row, reads its `HoldRecord`, asks `apply`, and applies the
/// effects with the audit entry in one transaction; `.notAllowed` leaves everything as it was.
public enum HoldLifecycle {
    /// The states a command may start from.
    public static func allowedStates(for action: HoldCommand.Action) -> Set<HoldState> {
        switch action {
        // A refused message may still be released: an official can change their mind.
        case .release: [.held, .refused]
        case .releaseFailed: [.released]
        case .refuse: [.held]
        case .delete: [.held, .refused, .released]
        case .legalHold, .liftLegalHold, .purge: Set(HoldState.allCases)
        case .recordDelivery: [.released]
        case .view, .export: [.held, .refused, .released]
        }
    }

    public static func apply(_ command: HoldCommand, to record: HoldRecord, at now: Date) throws(QuarantineError) -> HoldEffects {
        let id = record.id
        var audit = NewAuditEntry(
            at: now, actor: command.actor, action: auditAction(command.action), messageID: id, reason: command.reason,
            detail: command.detail)
        guard allowedStates(for: command.action).contains(record.state) else {
            if command.action == .view || command.action == .export {
                throw QuarantineError(code: .notFound, detail: "#\(id) (its content was erased)")
            }
            throw QuarantineError(code: .notAllowed, detail: refusal(command.action, id: id, state: record.state))
        }
        func change(to state: HoldState) -> HoldEffects.StateChange {
            .init(state: state, reason: command.reason, by: command.actor, at: now)
        }
        switch command.action {
        case .release: return HoldEffects(stateChange: change(to: .released), audit: audit)
        case .releaseFailed: return HoldEffects(stateChange: change(to: .held), audit: audit)
        case .refuse: return HoldEffects(stateChange: change(to: .refused), audit: audit)
        case .delete:
            guard !record.legalHold else {
                throw QuarantineError(code: .notAllowed, detail: "message #\(id) is under legal hold; lift the hold before deleting it")
            }
            return HoldEffects(stateChange: change(to: .deleted), content: .erased, audit: audit)
        case .legalHold: return HoldEffects(legalHold: true, audit: audit)
        case .liftLegalHold: return HoldEffects(legalHold: false, audit: audit)
        case .purge:
            guard !record.legalHold else {
                throw QuarantineError(code: .notAllowed, detail: "message #\(id) is under legal hold; it is kept")
            }
            // The record goes; the trail keeps what was removed.
            audit.detail = [command.detail, "sha256 \(record.sha256)"].compactMap { $0 }.joined(separator: "; ")
            return HoldEffects(content: .removed, audit: audit)
        case .recordDelivery:
            guard !record.releaseDelivered else {
                throw QuarantineError(code: .notAllowed, detail: "message #\(id) was released once and its copy already passed")
            }
            return HoldEffects(audit: audit)
        case .view, .export: return HoldEffects(audit: audit)
        }
    }

    static func auditAction(_ action: HoldCommand.Action) -> AuditAction {
        switch action {
        case .release: .release
        case .releaseFailed: .releaseFailed
        case .refuse: .refuse
        case .delete: .delete
        case .legalHold: .legalHold
        case .liftLegalHold: .legalHoldLifted
        case .purge: .purge
        case .recordDelivery: .releaseDelivered
        case .view: .view
        case .export: .export
        }
    }

    private static func refusal(_ action: HoldCommand.Action, id: Int64, state: HoldState) -> String {
        switch action {
        case .recordDelivery: "message #\(id) is \(state.rawValue), not released"
        default:
            "message #\(id) is \(state.rawValue); it cannot be \(target(action).rawValue) now"
        }
    }

    /// The state named in a refusal ("it cannot be released now").
    private static func target(_ action: HoldCommand.Action) -> HoldState {
        switch action {
        case .release: .released
        case .refuse: .refused
        case .delete: .deleted
        default: .held
        }
    }
}

/// What an allowed command did: the message as it now is (nil once purged) and its audit entry.
public struct HoldChange: Sendable, Hashable {
    public var message: HeldMessage?
    public var audit: AuditEntry

    public init(message: HeldMessage?, audit: AuditEntry) {
        self.message = message
        self.audit = audit
    }
}
