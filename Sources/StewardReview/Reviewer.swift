import StewardCore
public import StewardEngine
public import StewardPolicy
public import StewardQuarantine

/// Who is signed in to the review app, and what they may see: a mail administrator sees every
/// branch; an official only the branches they serve (clause 14: others' mail stays private).
public struct Reviewer: Sendable, Hashable {
    /// The lower-cased e-mail address they sign in with (also the actor on the audit trail).
    public var login: String
    public var name: String
    public var isAdmin: Bool
    /// Branches an official serves (every branch for an admin), sorted.
    public var branches: [String]

    public init(login: String, name: String, isAdmin: Bool, branches: [String]) {
        self.login = login
        self.name = name
        self.isAdmin = isAdmin
        self.branches = branches
    }

    /// The account for `login` as the directory now stands; nil when the address is neither an
    /// official nor a review admin (so removing someone from the directory ends their access).
    public init?(login: String, directory: UnionDirectory) {
        let login = login.lowercased()
        let isAdmin = directory.isReviewAdmin(login)
        let served = directory.branchesServed(by: login)
        guard isAdmin || !served.isEmpty else { return nil }
        self.init(
            login: login, name: directory.official(at: login)?.name ?? login, isAdmin: isAdmin,
            branches: isAdmin ? directory.branches.map(\.id).sorted() : served)
    }

    /// Whether they serve `branch` (trail and figures pages).
    public func serves(branch: String) -> Bool { isAdmin || branches.contains(branch) }

    /// Whether they may see a message at all: it concerns one of their branches.
    public func mayOpen(_ message: HeldMessage) -> Bool {
        isAdmin || message.verdict.branches.contains(where: branches.contains)
    }

    /// What they may do with it: the one rule the command line applies too (`DecisionRights`).
    public func access(to message: HeldMessage, directory: UnionDirectory) -> DecisionRights.Access {
        DecisionRights.access(of: login, to: message, directory: directory)
    }
}
