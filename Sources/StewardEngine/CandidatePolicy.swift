public import Foundation
import StewardPolicy
public import StewardQuarantine

/// A branch's candidate policy (`branches/<id>.candidate.yaml`) made live, or thrown away: the
/// one place both `steward policy promote|discard` and the review app do it. Each change is
/// checked like a reload (the whole directory must lint clean), written, put on the audit trail
/// with the line-by-line change and who made it, and announced to running Stewards through the
/// promotion stamp so they reload. The shadow record of the old candidate is forgotten.
public struct CandidatePolicy: Sendable {
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Code: String, Sendable { case noCandidate, problems, writeFailed }
        public var code: Code
        public var description: String
    }

    public let directory: URL
    public let branch: String

    public init(directory: URL, branch: String) {
        self.directory = directory
        self.branch = branch
    }

    /// Where the candidate lives (whether or not it exists).
    public var candidateURL: URL { directory.appendingPathComponent("branches/\(branch).candidate.yaml") }

    /// The candidate's text, nil when the branch has none.
    public func candidateText() -> String? {
        (try? Data(contentsOf: candidateURL)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The live file of the branch (its own file, or `branches/<id>.yaml` when it has none yet)
    /// and its text (empty when it has none).
    public func liveFile() throws(Failure) -> (url: URL, text: String) {
        let files: [PolicyFile]
        do { files = try PolicyDirectoryReader.read(directory) } catch { throw Failure(code: .problems, description: error.description) }
        let policy: Policy
        do { policy = try Policy.parse(files) } catch { throw Failure(code: .problems, description: "the live policy has problems:\n\(error)") }
        guard let path = policy.branchFiles[branch], let file = files.first(where: { $0.path == path }) else {
            return (directory.appendingPathComponent("branches/\(branch).yaml"), "")
        }
        return (directory.appendingPathComponent("branches/" + (path.split(separator: "/").last.map(String.init) ?? "\(branch).yaml")), file.text)
    }

    /// `- old` / `+ new` lines, with line numbers, from the live file to the candidate.
    public static func change(from old: String, to new: String) -> String {
        let before = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let after = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var lines: [String] = []
        for step in after.difference(from: before) {
            switch step {
            case .remove(let offset, let line, _): lines.append("-\(offset + 1): \(line)")
            case .insert(let offset, let line, _): lines.append("+\(offset + 1): \(line)")
            }
        }
        return lines.isEmpty ? "(no change)" : lines.joined(separator: "\n")
    }

    /// Makes the candidate the live policy. Returns the change as recorded.
    @discardableResult
    public func promote(store: any QuarantineStore, actor: String, reason: String?) async throws(Failure) -> String {
        try await exclusively { () async throws(Failure) in try await promoteLocked(store: store, actor: actor, reason: reason) }
    }

    private func promoteLocked(store: any QuarantineStore, actor: String, reason: String?) async throws(Failure) -> String {
        guard let candidate = candidateText() else { throw Failure(code: .noCandidate, description: "branch \(branch) has no candidate policy (\(candidateURL.path))") }
        let live = try liveFile()
        // The directory as it will be: the candidate in the live file's place, and no candidate.
        let liveName = "branches/" + live.url.lastPathComponent
        do {
            var files = try PolicyDirectoryReader.read(directory).filter { !$0.path.hasSuffix("/branches/\(branch).candidate.yaml") && !$0.path.hasSuffix("/" + liveName) }
            files.append(PolicyFile(path: live.url.path, text: candidate))
            _ = try Policy.parse(files)
        } catch {
            throw Failure(code: .problems, description: "the candidate cannot be promoted; the policy would have problems:\n\(error)")
        }
        let change = Self.change(from: live.text, to: candidate)
        do {
            try Data(candidate.utf8).write(to: live.url, options: .atomic)
            try FileManager.default.removeItem(at: candidateURL)
        } catch {
            try? Data(live.text.utf8).write(to: live.url, options: .atomic)
            throw Failure(code: .writeFailed, description: "could not write \(live.url.path): \(error.localizedDescription)")
        }
        do {
            try await store.appendAudit(NewAuditEntry(
                actor: actor, action: .policyPromote, reason: reason, detail: "branch \(branch): \(liveName) replaced by its candidate\n\(change)"))
        } catch {
            // No change without its record: put the files back as they were.
            try? Data(candidate.utf8).write(to: candidateURL, options: .atomic)
            if live.text.isEmpty { try? FileManager.default.removeItem(at: live.url) } else { try? Data(live.text.utf8).write(to: live.url, options: .atomic) }
            throw Failure(code: .writeFailed, description: "the promotion could not be put on the audit trail, so it was undone: \(error)")
        }
        await finish(store)
        return change
    }

    /// Throws the candidate away. Returns what it would have changed, as recorded.
    @discardableResult
    public func discard(store: any QuarantineStore, actor: String, reason: String?) async throws(Failure) -> String {
        try await exclusively { () async throws(Failure) in try await discardLocked(store: store, actor: actor, reason: reason) }
    }

    private func discardLocked(store: any QuarantineStore, actor: String, reason: String?) async throws(Failure) -> String {
        guard let candidate = candidateText() else { throw Failure(code: .noCandidate, description: "branch \(branch) has no candidate policy (\(candidateURL.path))") }
        let live = (try? liveFile())?.text ?? ""
        let change = Self.change(from: live, to: candidate)
        do {
            try await store.appendAudit(NewAuditEntry(
                actor: actor, action: .policyDiscard, reason: reason,
                detail: "branch \(branch): candidate discarded; it would have changed\n\(change)"))
        } catch {
            throw Failure(code: .writeFailed, description: "the discard could not be put on the audit trail; nothing was changed: \(error)")
        }
        do {
            try FileManager.default.removeItem(at: candidateURL)
        } catch {
            throw Failure(code: .writeFailed, description: "could not remove \(candidateURL.path): \(error.localizedDescription)")
        }
        await finish(store)
        return change
    }

    /// Changes to one branch's candidate take turns, whichever process makes them (an official's
    /// "release and allow" in the review app, an admin's promote or discard on the command
    /// line): each holds an exclusive lock on `branches/.NAME.candidate.lock` while it reads,
    /// checks, writes and records, so none is lost and no audit entry describes a file that
    /// another change has since replaced.
    func exclusively<R>(_ body: () async throws(Failure) -> R) async throws(Failure) -> R {
        let path = directory.appendingPathComponent("branches/.\(branch).candidate.lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o660)
        guard fd >= 0 else { throw Failure(code: .writeFailed, description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // Never a blocking wait: a review app's requests run on Swift's few cooperative threads
        // (one a core), and if they all sat in flock behind a change that needs one of them to
        // go on, nothing would move again. So: try, and sleep between tries, for up to a minute
        // (each change re-reads the branch's policy: several at once on a loaded machine take turns
        // of seconds each).
        let giveUp = ContinuousClock.now + .seconds(60)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw Failure(code: .writeFailed, description: "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            guard ContinuousClock.now < giveUp else {
                throw Failure(code: .writeFailed, description: "another change to the \(branch) candidate policy held it for a minute; nothing was changed, try again")
            }
            guard (try? await Task.sleep(for: .milliseconds(20))) != nil else {
                throw Failure(code: .writeFailed, description: "the change to the \(branch) candidate policy was cancelled before it began; nothing was changed")
            }
        }
        return try await body()
    }

    /// Running Stewards reload; the old candidate's differences no longer apply.
    private func finish(_ store: any QuarantineStore) async {
        try? PolicyHolder.touchStamp(directory)
        _ = try? await (store as? any PolicyObservationStore)?.forgetObservations(branch: branch, kinds: [.candidateWouldHold, .candidateWouldPass])
    }
}
