public import Foundation

/// Where the package and its built binary are, for tests that run the real `steward`.
public enum PackagePaths {
    /// The package root (the directory holding Package.swift).
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

    /// The `steward` binary: $STEWARD_BIN, else the debug build `swift test` just made.
    public static var stewardBinary: URL {
        if let path = ProcessInfo.processInfo.environment["STEWARD_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return root.appendingPathComponent(".build/debug/steward")
    }
}

/// A directory under /tmp removed when the value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("steward-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
