public import StewardCore
public import StewardPolicy
public import StewardQuarantine

/// Who is told about a held message, decided when it is held (pure: no I/O).
public struct NoticePlanner: Sendable {
    public let directory: UnionDirectory
    public let includeDeputies: Bool

    public init(directory: UnionDirectory, includeDeputies: Bool) {
        self.directory = directory
        self.includeDeputies = includeDeputies
    }

    /// Clause 15: each branch involved tells its senior official (and deputies, if configured).
    /// A member whose own outgoing or internal message waits for approval is told so.
    public func notices(forHold verdict: Verdict, envelope: Envelope) -> [NewNotice] {
        var notices = verdict.branches.flatMap { branch in
            officials(of: branch, envelope: envelope).map { NewNotice(recipient: $0, template: "held", branch: branch) }
        }
        if verdict.direction != .incoming, !envelope.sender.isEmpty, directory.isUnionAddress(envelope.sender) {
            notices.append(NewNotice(
                recipient: envelope.sender, template: "awaiting-approval",
                branch: directory.branch(of: envelope.sender) ?? directory.defaultBranch))
        }
        return unique(notices)
    }

    /// A report case: the report branch's officials, and an acknowledgement to the reporter.
    /// Nothing goes to the original sender.
    public func notices(forReportTo branch: String, reporter: String) -> [NewNotice] {
        var notices = officials(of: branch, envelope: reporter.isEmpty ? nil : Envelope(sender: reporter)).map { NewNotice(recipient: $0, template: "report", branch: branch) }
        if !reporter.isEmpty {
            notices.append(NewNotice(recipient: reporter, template: "report-received", branch: branch))
        }
        return unique(notices)
    }

    /// The senior official (and deputies, if configured). Four eyes: an official is never the
    /// one told to decide on their own mail, so a senior's own message goes to the deputies and
    /// a deputy's to the senior, whatever `includeDeputies` says.
    private func officials(of branch: String, envelope: Envelope?) -> [String] {
        let officials = directory.officials(of: branch)
        let usual = officials.filter { $0.senior || (includeDeputies && $0.deputy) }
        guard let envelope else { return usual.map(\.address) }
        let involved = Set(([envelope.sender] + envelope.recipients).map(EmailAddress.normalize))
        let own = { (official: Official) in involved.contains(EmailAddress.normalize(official.address)) }
        guard usual.contains(where: own) else { return usual.map(\.address) }
        return officials.filter { ($0.senior || $0.deputy) && !own($0) }.map(\.address)
    }

    private func unique(_ notices: [NewNotice]) -> [NewNotice] {
        var seen = Set<NewNotice>()
        return notices.filter { seen.insert($0).inserted }
    }
}
