public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the package, its shipped policy, its scripts and its built binary are.
public enum PackagePaths {
    /// The package root (the directory holding Package.swift), found from this file's path.
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// The shipped policy directory.
    public static var policies: URL { root.appendingPathComponent("Policies") }

    /// The policy the end-to-end tests run with: `$STEWARD_E2E_POLICY`, else the shipped one.
    public static var endToEndPolicies: URL {
        if let path = ProcessInfo.processInfo.environment["STEWARD_E2E_POLICY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return policies
    }

    /// The `steward` binary: `$STEWARD_BIN`, else the debug build `swift test` just made.
    public static var stewardBinary: URL {
        if let path = ProcessInfo.processInfo.environment["STEWARD_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return root.appendingPathComponent(".build/debug/steward")
    }

    /// The Postfix lab helper shared with scripts/bench and scripts/demo.
    public static var labScript: URL { root.appendingPathComponent("scripts/lib/postfix-lab.sh") }
}

/// A fresh directory under /tmp (short paths: Unix sockets have a 108-byte limit), removed
/// when the value goes away unless `STEWARD_E2E_KEEP` is set (for a post-mortem).
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    /// `/tmp/steward-<label>-<random>`, with `mode` if given (e.g. 0o755 so postfix can traverse it).
    public convenience init(_ label: String, mode: Int? = nil) throws {
        try self.init(
            at: URL(fileURLWithPath: "/tmp").appendingPathComponent("steward-\(label)-\(UUID().uuidString.prefix(8))"),
            mode: mode)
    }

    /// Exactly `url` (created with its parents), with `mode` if given.
    public init(at url: URL, mode: Int? = nil) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if let mode { chmod(url.path, mode_t(mode)) }
    }

    public var path: String { url.path }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit {
        if ProcessInfo.processInfo.environment["STEWARD_E2E_KEEP"] == nil {
            try? FileManager.default.removeItem(at: url)
        }
    }
}

/// What a test-support helper throws: a message for the test's failure output.
public struct TestFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
