import StewardCore
public import StewardPolicy
public import StewardQuarantine

/// Who may decide on a held message (clause 14), one rule for the review app and the command
/// line. Pure: the directory as it stands and the message's envelope and verdict.
///
/// - A message is decided by the branch that answers for it: for a report, the branch whose
///   report address it was sent to; for a hold, the branches whose own rules asked for the hold,
///   and of those only the sender's branch when the sender is a member whose branch's rules held
///   it (a branch pulled in as a recipient, by a Bcc say, cannot release a member's mail past
///   the member's own branch).
/// - Four eyes: nobody decides on, or reads, a message they sent or that is addressed to them;
///   another official of the branch (the senior official for a deputy's own message, a deputy
///   for the senior's) or a review admin does.
/// - Every other branch involved sees the message listed, read-only.
public enum DecisionRights {
    /// What one person may do with one message.
    public enum Access: Sendable, Equatable {
        /// Not one of their branches: the message does not exist for them.
        case hidden
        /// Listed with its envelope and findings; no content, no decision. The reason says why.
        case readOnly(String)
        /// May read its content (with a reason) and release, refuse or hold it.
        case decide
    }

    /// The branches whose officials decide on `message`, sorted.
    public static func decidingBranches(of message: HeldMessage, directory: UnionDirectory) -> [String] {
        if message.kind == .report {
            let reported = Set(message.envelope.recipients.compactMap { directory.branch(reportingTo: $0)?.id })
            // A report stored before report addresses changed still belongs to the branch it was filed with.
            return reported.isEmpty ? message.verdict.branches : reported.sorted()
        }
        let holding = Set(message.verdict.findings.filter { $0.action >= .quarantine && $0.action != .tempfail }.map(\.branch))
        if directory.isUnionAddress(message.envelope.sender), let own = directory.branch(of: message.envelope.sender),
            holding.contains(own)
        {
            return [own]
        }
        return holding.sorted()
    }

    /// Whether `login` sent `message` or is among its recipients (the envelope: Bcc included),
    /// or it came from a login that may send as their address.
    public static func isOwnMessage(_ message: HeldMessage, of login: String, directory: UnionDirectory) -> Bool {
        let login = EmailAddress.normalize(login)
        let envelope = message.envelope
        if EmailAddress.normalize(envelope.sender) == login { return true }
        if envelope.recipients.contains(where: { EmailAddress.normalize($0) == login }) { return true }
        if let user = envelope.authUser?.lowercased(), user == login || directory.login(user, maySendAs: login) { return true }
        return false
    }

    /// What `login` may do with `message`: an official of the branches they serve, a review
    /// admin of every branch, never of their own mail.
    public static func access(of login: String, to message: HeldMessage, directory: UnionDirectory) -> Access {
        let isAdmin = directory.isReviewAdmin(login)
        let served = Set(directory.branchesServed(by: login))
        guard isAdmin || message.verdict.branches.contains(where: served.contains) else { return .hidden }
        if isOwnMessage(message, of: login, directory: directory) {
            return .readOnly(
                "This message is your own (you sent it or it is addressed to you): another official of the branch, or a review admin, decides on it.")
        }
        let deciding = decidingBranches(of: message, directory: directory)
        if isAdmin || deciding.contains(where: served.contains) { return .decide }
        let who = deciding.isEmpty ? "a review admin" : "the officials of " + deciding.joined(separator: ", ")
        return .readOnly("This message is decided by \(who): your branch is only involved in it, so you see it read-only.")
    }

    /// Throws when `message` is hidden from `actor` (not one of their branches): what `quarantine
    /// show` checks before printing anything. The mail administrator is not bound (see below).
    public static func requireSight(by actor: String, of message: HeldMessage, directory: UnionDirectory) throws(QuarantineError) {
        guard directory.isReviewAdmin(actor) || !directory.branchesServed(by: actor).isEmpty else { return }
        if access(of: actor, to: message, directory: directory) == .hidden {
            throw QuarantineError(code: .notAllowed, detail: "#\(message.id) is not for \(actor)'s branches; nothing was done")
        }
    }

    /// Throws unless `actor` may decide on `message`. An actor who is neither an official nor a
    /// review admin is the mail administrator at the command line, who holds the store itself:
    /// the rule binds what officials and review admins do, wherever they do it.
    public static func requireDecision(by actor: String, on message: HeldMessage, directory: UnionDirectory) throws(QuarantineError) {
        guard directory.isReviewAdmin(actor) || !directory.branchesServed(by: actor).isEmpty else { return }
        switch access(of: actor, to: message, directory: directory) {
        case .decide: return
        case .hidden: throw QuarantineError(code: .notAllowed, detail: "#\(message.id) is not for \(actor)'s branches; nothing was done")
        case .readOnly(let why): throw QuarantineError(code: .notAllowed, detail: "#\(message.id): \(why) Nothing was done.")
        }
    }
}
