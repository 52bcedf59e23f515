import Foundation
import StewardCore

/// What the impersonation rules compare messages against, computed once per policy load (and
/// per distinct branch option), never per message: folded protected names and the union
/// domains' skeletons both cost ICU calls.
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

/// Indexes already built, found by their inputs. Arrays from the loaded policy share storage
/// from message to message, so comparing a key is a pointer check in the usual case.
final class ImpersonationIndexCache: @unchecked Sendable {
    struct Key: Equatable {
        var domains: [String]
        var officials: [Official]
        var unionName: String
        var protectOfficials: Bool
        var extraNames: [String]
    }

    private let lock = NSLock()
    private var entries: [(key: Key, index: ImpersonationIndex)] = []

    func index(directory: UnionDirectory, protectOfficials: Bool, extraNames: [String]) -> ImpersonationIndex {
        let key = Key(
            domains: directory.domains, officials: directory.officials, unionName: directory.unionName,
            protectOfficials: protectOfficials, extraNames: extraNames)
        lock.lock()
        defer { lock.unlock() }
        if let entry = entries.first(where: { $0.key == key }) { return entry.index }
        let index = ImpersonationIndex(directory: directory, protectOfficials: protectOfficials, extraNames: extraNames)
        entries.append((key, index))
        if entries.count > 16 { entries.removeFirst() }  // old policies after reloads
        return index
    }
}
