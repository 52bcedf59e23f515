import Crypto
import Foundation
public import StewardPolicy

/// What a reload changed: the new policy's digest, the files that differ, and a short
/// unified-diff summary of their YAML, for the audit trail (`steward policy history`).
public struct PolicyChange: Sendable, Equatable {
    /// SHA-256 over every file's path and text, in path order: the same policy, the same digest.
    public var digest: String
    /// Files added, removed or edited, by path.
    public var changedFiles: [String]
    /// `--- a/PATH` / `+++ b/PATH` and the changed lines (`-old`, `+new`), at most `maxLines`.
    public var diff: String

    /// The most diff lines kept on the trail; the rest is counted, not shown.
    public static let maxLines = 40

    public static func digest(_ files: [PolicyFile]) -> String {
        var hasher = SHA256()
        for file in files.sorted(by: { $0.path < $1.path }) {
            hasher.update(data: Array(file.path.utf8) + [0] + Array(file.text.utf8) + [0])
        }
        return hasher.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    public init(from old: [PolicyFile], to new: [PolicyFile]) {
        digest = Self.digest(new)
        let before = Dictionary(old.map { (Self.relative($0.path), $0.text) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.map { (Self.relative($0.path), $0.text) }, uniquingKeysWith: { first, _ in first })
        changedFiles = Set(before.keys).union(after.keys).sorted().filter { before[$0] != after[$0] }
        var lines: [String] = []
        for path in changedFiles {
            lines.append("--- " + (before[path] == nil ? "/dev/null" : "a/\(path)"))
            lines.append("+++ " + (after[path] == nil ? "/dev/null" : "b/\(path)"))
            lines += Self.changedLines(Self.split(before[path]), Self.split(after[path]))
        }
        if lines.count > Self.maxLines {
            let left = lines.count - Self.maxLines
            lines = Array(lines.prefix(Self.maxLines)) + ["… \(left) more lines"]
        }
        diff = lines.joined(separator: "\n")
    }

    /// The path inside the policy directory (`branches/london.yaml`), as an admin names it.
    static func relative(_ path: String) -> String {
        for anchor in ["/branches/", "/templates/"] {
            if let range = path.range(of: anchor, options: .backwards) { return String(path[path.index(after: range.lowerBound)...]) }
        }
        return path.split(separator: "/").last.map(String.init) ?? path
    }

    private static func split(_ text: String?) -> [Substring] {
        guard let text, !text.isEmpty else { return [] }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Lines only in `old` (`-`) and only in `new` (`+`), in order, by a longest common
    /// subsequence (policy files are small: a few hundred lines).
    static func changedLines(_ old: [Substring], _ new: [Substring]) -> [String] {
        let (n, m) = (old.count, new.count)
        var table = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                table[i][j] = old[i] == new[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var (i, j) = (0, 0)
        var out: [String] = []
        while i < n || j < m {
            if i < n, j < m, old[i] == new[j] {
                i += 1
                j += 1
            } else if i < n, j == m || table[i + 1][j] >= table[i][j + 1] {
                out.append("-" + old[i])
                i += 1
            } else {
                out.append("+" + new[j])
                j += 1
            }
        }
        return out
    }

    /// Marks a line end in an audit detail: the trail keeps details on one line (control
    /// characters become spaces), and `steward policy history` splits on this again.
    public static let lineMark = " \u{23CE} "

    /// The audit entry's detail: the policy directory, the digest, the files, the diff.
    public func auditDetail(directory: String) -> String {
        ([directory, "digest \(digest)", "changed: \(changedFiles.isEmpty ? "nothing" : changedFiles.joined(separator: ", "))"]
            + (diff.isEmpty ? [] : diff.components(separatedBy: "\n"))).joined(separator: Self.lineMark)
    }
}
