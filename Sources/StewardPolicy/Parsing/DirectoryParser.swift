import Foundation
import StewardCore
import Yams

/// Reads `directory.yaml` into a `UnionDirectory`, reporting every problem with its line.
struct DirectoryParser {
    struct Result {
        var directory: UnionDirectory
        /// The login map file named by `login_maps`, and the line that names it.
        var loginMaps: (name: String, line: Int)?
        /// Line of each branch's `id`, for problems found later (no senior official...).
        var branchLines: [String: Int]
        /// Line of each `logins` key or login map entry, for duplicates between them.
        var loginLines: [String: Int]
    }

    let file: YAMLFile

    static let topKeys = [
        "union", "networks", "default_branch", "branches", "officials", "logins", "login_maps", "review_admins", "mailing_lists",
        "recipient_delimiter",
    ]

    func parse(log: inout ProblemLog) -> Result {
        let path = file.path
        var unionName = "", domains: [String] = [], networks: [NetworkRange] = []
        var defaultBranch: (id: String, line: Int)?
        var branches: [Branch] = [], branchLines: [String: Int] = [:]
        var officials: [(Official, branchLine: Int)] = []
        var senderLogins: [String: Set<String>] = [:], loginLines: [String: Int] = [:]
        var loginMaps: (String, Int)?
        var reviewAdmins: [String] = []
        var mailingLists: [MailingList] = []
        var recipientDelimiter: String?
        var sawUnion = false

        let top = file.rootMapping(log: &log).map { file.entries($0, allowed: Self.topKeys, in: "directory.yaml", log: &log) } ?? []
        // Branches first, so members, officials and the default branch can be checked against them.
        var memberEntries: [(branch: String, member: String, line: Int)] = []
        for entry in top where entry.key == "branches" {
            (branches, branchLines, memberEntries) = parseBranches(entry.value, log: &log)
        }
        for entry in top {
            switch entry.key {
            case "union":
                sawUnion = true
                guard let mapping = file.mapping(entry.value, what: "union", log: &log) else { continue }
                for item in file.entries(mapping, allowed: ["name", "domains"], in: "union", log: &log) {
                    if item.key == "name" {
                        unionName = file.string(item.value, what: "union name", log: &log) ?? ""
                    } else {
                        for (domain, line) in file.strings(item.value, what: "union domains", log: &log) ?? [] {
                            let lower = domain.lowercased()
                            if lower.contains("@") || lower.contains(" ") || !lower.contains(".") {
                                log.add(path, line, "'\(domain)' is not a domain name (write e.g. union.example)")
                            } else {
                                domains.append(lower)
                            }
                        }
                    }
                }
                if domains.isEmpty {
                    log.add(path, entry.keyLine, "union needs at least one domain under `domains:`")
                }
            case "networks":
                for (text, line) in file.strings(entry.value, what: "networks", log: &log) ?? [] {
                    if let range = NetworkRange(text) {
                        networks.append(range)
                    } else {
                        log.add(path, line, "'\(text)' is not a network in CIDR form (e.g. 192.0.2.0/24 or 2001:db8::/32)")
                    }
                }
            case "default_branch":
                if let id = file.string(entry.value, what: "default_branch", log: &log) {
                    defaultBranch = (id, YAMLFile.line(entry.value))
                }
            case "officials":
                officials = parseOfficials(entry.value, log: &log)
            case "logins":
                guard let mapping = file.mapping(entry.value, what: "logins", log: &log) else { continue }
                for item in file.entries(mapping, allowed: nil, in: "logins", log: &log) {
                    for (address, line) in file.strings(item.value, what: "the addresses of login '\(item.key)'", log: &log) ?? [] {
                        let key = EmailAddress.normalize(address)
                        guard key.contains("@"), !key.hasSuffix("@") else {
                            log.add(path, line, "'\(address)' is not a sender address or @domain")
                            continue
                        }
                        senderLogins[key, default: []].insert(item.key)
                        loginLines[key] = loginLines[key] ?? line
                    }
                }
            case "review_admins":
                for (address, line) in file.strings(entry.value, what: "review_admins", log: &log) ?? [] {
                    if address.contains("@") {
                        reviewAdmins.append(EmailAddress.normalize(address))
                    } else {
                        log.add(path, line, "review admin '\(address)' is not an e-mail address (admins sign in to the review app with their address)")
                    }
                }
            case "mailing_lists":
                mailingLists = parseMailingLists(entry.value, log: &log)
            case "recipient_delimiter":
                if case let .scalar(scalar) = entry.value, scalar.string.isEmpty {
                    recipientDelimiter = ""
                } else if let text = file.string(entry.value, what: "recipient_delimiter", log: &log) {
                    if text.contains(where: { $0.isLetter || $0.isNumber || $0.isWhitespace || $0 == "@" }) {
                        log.add(path, YAMLFile.line(entry.value), "recipient_delimiter '\(text)' must be the characters that start an address extension, as in Postfix's main.cf (e.g. + or +-), or \"\" for none")
                    } else {
                        recipientDelimiter = text
                    }
                }
            case "login_maps":
                if let name = file.string(entry.value, what: "login_maps", log: &log) {
                    loginMaps = (name, YAMLFile.line(entry.value))
                }
            default:
                break
            }
        }

        if file.isValid {
            if !sawUnion { log.add(path, 1, "`union:` is missing: give the union's name and its domains") }
            if defaultBranch == nil { log.add(path, 1, "`default_branch:` is missing: name the branch that takes mail no other branch claims") }
            if branches.isEmpty { log.add(path, 1, "no branches: list at least one under `branches:`") }
        }
        let known = Set(branches.map(\.id))
        if let defaultBranch, !known.isEmpty, !known.contains(defaultBranch.id) {
            log.add(path, defaultBranch.line, "default_branch '\(defaultBranch.id)' is not one of the branches (\(known.sorted().joined(separator: ", ")))")
        }
        checkMembers(memberEntries, domains: domains, log: &log)
        for (official, line) in officials where !known.isEmpty && !known.contains(official.branch) {
            log.add(path, line, "official \(official.name) is in branch '\(official.branch)', which is not one of the branches (\(known.sorted().joined(separator: ", ")))")
        }
        for branch in branches where !officials.contains(where: { $0.0.branch == branch.id && $0.0.senior }) {
            log.add(path, branchLines[branch.id] ?? 0, "branch '\(branch.id)' has no senior official: mark one of its officials `senior: true` (clause 15: members report unacceptable mail to a senior official)")
        }

        var directory = UnionDirectory(
            unionName: unionName, domains: domains, networks: networks,
            defaultBranch: defaultBranch?.id ?? branches.first?.id ?? "",
            branches: branches, officials: officials.map(\.0), senderLogins: senderLogins, reviewAdmins: reviewAdmins
        )
        directory.mailingLists = mailingLists
        if let recipientDelimiter { directory.recipientDelimiter = recipientDelimiter }
        return Result(directory: directory, loginMaps: loginMaps, branchLines: branchLines, loginLines: loginLines)
    }

    private func parseBranches(
        _ node: Node, log: inout ProblemLog
    ) -> ([Branch], [String: Int], [(branch: String, member: String, line: Int)]) {
        var branches: [Branch] = [], lines: [String: Int] = [:]
        var memberEntries: [(branch: String, member: String, line: Int)] = []
        for item in file.sequence(node, what: "branches", log: &log) ?? [] {
            guard let mapping = file.mapping(item, what: "each branch", log: &log) else { continue }
            var id: String?, idLine = YAMLFile.line(item), name: String?, members: [(String, Int)] = []
            var reportAddress: String?
            for field in file.entries(mapping, allowed: ["id", "name", "members", "report_address"], in: "a branch", log: &log) {
                switch field.key {
                case "id":
                    id = file.string(field.value, what: "branch id", log: &log)
                    idLine = YAMLFile.line(field.value)
                case "name": name = file.string(field.value, what: "branch name", log: &log)
                case "report_address":
                    reportAddress = file.string(field.value, what: "report address", log: &log)
                    if let address = reportAddress, !address.contains("@") {
                        log.add(file.path, YAMLFile.line(field.value), "report_address '\(address)' is not an e-mail address")
                    }
                default: members = file.strings(field.value, what: "branch members", log: &log) ?? []
                }
            }
            guard let id else {
                log.add(file.path, YAMLFile.line(item), "a branch needs an `id:` (a short word such as london)")
                continue
            }
            if !id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                log.add(file.path, idLine, "branch id '\(id)' should be one word: letters, digits, - or _")
            }
            if let first = lines[id] {
                log.add(file.path, idLine, "branch id '\(id)' is used twice (first on line \(first))")
                continue
            }
            lines[id] = idLine
            branches.append(Branch(id: id, name: name ?? id, members: members.map(\.0), reportAddress: reportAddress))
            memberEntries += members.map { (id, $0.0, $0.1) }
        }
        return (branches, lines, memberEntries)
    }

    /// Every member must be a union address or domain (others would never match), and belong
    /// to one branch only.
    private func checkMembers(
        _ entries: [(branch: String, member: String, line: Int)], domains: [String], log: inout ProblemLog
    ) {
        var owner: [String: String] = [:]
        for (branch, member, line) in entries {
            let normalized = EmailAddress.normalize(member)
            let bare = normalized.hasPrefix("@") ? String(normalized.dropFirst()) : normalized
            let domain = bare.contains("@") ? EmailAddress.domain(of: bare) ?? "" : bare
            if !domains.isEmpty, !domains.contains(where: { UnionDirectory.domain(domain, isWithin: $0) }) {
                log.add(file.path, line, "member '\(member)' of branch '\(branch)' is not in a union domain (\(domains.joined(separator: ", "))), so no mail would ever match it")
            }
            if let other = owner[bare], other != branch {
                log.add(file.path, line, "member '\(member)' is listed in branch '\(other)' and again in branch '\(branch)'")
            } else if owner[bare] == branch {
                log.add(file.path, line, "member '\(member)' is listed twice in branch '\(branch)'")
            }
            owner[bare] = owner[bare] ?? branch
        }
    }

    /// `mailing_lists:` entries, each with `name`, and an `address` (or `@domain`), a `login`, or both.
    private func parseMailingLists(_ node: Node, log: inout ProblemLog) -> [MailingList] {
        var result: [MailingList] = []
        for item in file.sequence(node, what: "mailing_lists", log: &log) ?? [] {
            guard let mapping = file.mapping(item, what: "each mailing list", log: &log) else { continue }
            var name: String?, address: String?, login: String?
            var named = false
            for field in file.entries(mapping, allowed: ["name", "address", "login"], in: "a mailing list", log: &log) {
                switch field.key {
                case "name": name = file.string(field.value, what: "list name", log: &log)
                case "address":
                    named = true
                    address = file.string(field.value, what: "list address", log: &log)
                    if let text = address, !text.contains("@") || text.hasSuffix("@") || text.contains(" ") {
                        log.add(file.path, YAMLFile.line(field.value), "mailing list address '\(text)' is not an address or @domain")
                        address = nil
                    }
                default:
                    named = true
                    login = file.string(field.value, what: "list login", log: &log)
                    if let text = login, text.isEmpty || text.contains(where: \.isWhitespace) {
                        log.add(file.path, YAMLFile.line(field.value), "mailing list login '\(text)' should be one word")
                        login = nil
                    }
                }
            }
            guard address != nil || login != nil else {
                if named { continue }  // its address or login was named, and reported above
                log.add(file.path, YAMLFile.line(item), "a mailing list needs an `address:` (the address its list software sends from) or a `login:` (the login it submits with)")
                continue
            }
            result.append(MailingList(name: name ?? address ?? login ?? "", address: address, login: login))
        }
        return result
    }

    private func parseOfficials(_ node: Node, log: inout ProblemLog) -> [(Official, branchLine: Int)] {
        var result: [(Official, branchLine: Int)] = []
        let keys = ["name", "address", "role", "branch", "senior", "deputy", "time_zone"]
        for item in file.sequence(node, what: "officials", log: &log) ?? [] {
            guard let mapping = file.mapping(item, what: "each official", log: &log) else { continue }
            var official = Official(name: "", address: "", role: "", branch: "")
            var branchLine = YAMLFile.line(item)
            for field in file.entries(mapping, allowed: keys, in: "an official", log: &log) {
                switch field.key {
                case "name": official.name = file.string(field.value, what: "official's name", log: &log) ?? ""
                case "address":
                    let address = file.string(field.value, what: "official's address", log: &log) ?? ""
                    if !address.isEmpty, !address.contains("@") {
                        log.add(file.path, YAMLFile.line(field.value), "'\(address)' is not an e-mail address")
                    }
                    official.address = EmailAddress.normalize(address)
                case "role": official.role = file.string(field.value, what: "official's role", log: &log) ?? ""
                case "branch":
                    official.branch = file.string(field.value, what: "official's branch", log: &log) ?? ""
                    branchLine = YAMLFile.line(field.value)
                case "senior": official.senior = file.bool(field.value, what: "senior", log: &log) ?? false
                case "time_zone":
                    guard let zone = file.string(field.value, what: "time_zone", log: &log) else { continue }
                    if TimeZone(identifier: zone) == nil {
                        log.add(file.path, YAMLFile.line(field.value), "time_zone: '\(zone)' is not a time zone; use a name like Europe/London or UTC")
                    } else {
                        official.timeZone = zone
                    }
                default: official.deputy = file.bool(field.value, what: "deputy", log: &log) ?? false
                }
            }
            let missing = ["name": official.name, "address": official.address, "branch": official.branch]
                .filter { $0.value.isEmpty }.map(\.key).sorted()
            if !missing.isEmpty {
                log.add(file.path, YAMLFile.line(item), "an official needs \(missing.map { "`\($0):`" }.joined(separator: ", "))")
                if official.branch.isEmpty { continue }
            }
            result.append((official, branchLine))
        }
        return result
    }
}
