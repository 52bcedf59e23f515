import Foundation
import StewardCore

/// What the impersonation rules compare messages against, computed once per policy load (and
/// per distinct branch option, `ImpersonationIndexes`), never per message: folded protected
/// names and the union domains' skeletons both cost ICU calls.
struct ImpersonationIndex: Sendable {
    var protectedNames: [ProtectedName]
    var lookalikes: LookalikeDomains

    init(directory: UnionDirectory, protectOfficials: Bool, extraNames: [String]) {
        var names: [ProtectedName] = []
        if protectOfficials {
            for official in directory.officials {
                names.append(ProtectedName(
                    label: "\(official.name) (\(official.role))", text: official.name, isPersonName: true,
                    owner: .addresses([EmailAddress.normalize(official.address)])))
            }
            var titles: [String: (label: String, addresses: [String])] = [:]
            for official in directory.officials where !official.role.isEmpty {
                let key = NameFolding.words(official.role).joined(separator: " ")
                titles[key, default: (official.role, [])].addresses.append(EmailAddress.normalize(official.address))
            }
            for (_, title) in titles.sorted(by: { $0.key < $1.key }) {
                names.append(ProtectedName(label: title.label, isPersonName: false, owner: .addresses(title.addresses)))
            }
            if !directory.unionName.isEmpty {
                names.append(ProtectedName(label: directory.unionName, isPersonName: false, owner: .union))
            }
        }
        for entry in extraNames {
            // "Name <address>" or "Name".
            if let open = entry.lastIndex(of: "<"), let close = entry.lastIndex(of: ">"), open < close {
                let label = String(entry[..<open]).trimmedWhitespace
                let address = EmailAddress.normalize(String(entry[entry.index(after: open)..<close]))
                names.append(ProtectedName(label: label, isPersonName: label.contains(" "), owner: .addresses([address])))
            } else {
                names.append(ProtectedName(label: entry.trimmedWhitespace, isPersonName: false, owner: .union))
            }
        }
        protectedNames = names.filter { !$0.words.isEmpty }
        lookalikes = LookalikeDomains(domains: directory.domains)
    }
}

/// The indexes of one loaded policy, one per distinct set of branch options, built when the
/// evaluator is made (once per policy load), so judging a message only looks one up.
struct ImpersonationIndexes: Sendable {
    struct Key: Hashable, Sendable {
        var protectOfficials: Bool
        var extraNames: [String]

        /// The options `ImpersonationFamily` reads, through the same helpers.
        init(_ settings: BranchSettings) {
            protectOfficials = settings.flag("protect_officials", of: ImpersonationRules.officialName, default: true)
            extraNames = settings.list("protected_names", of: ImpersonationRules.officialName)
        }
    }

    private let byKey: [Key: ImpersonationIndex]

    init(policy: Policy) {
        var byKey: [Key: ImpersonationIndex] = [:]
        for settings in [policy.defaults] + Array(policy.branchSettings.values) {
            let key = Key(settings)
            if byKey[key] == nil {
                byKey[key] = ImpersonationIndex(directory: policy.directory, protectOfficials: key.protectOfficials, extraNames: key.extraNames)
            }
        }
        self.byKey = byKey
    }

    func index(for settings: BranchSettings) -> ImpersonationIndex? { byKey[Key(settings)] }
}
