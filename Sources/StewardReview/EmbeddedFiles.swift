import Foundation

/// The review app's templates and stylesheet, compiled into the binary by the EmbedResources
/// build plugin (`embeddedResourceFiles`, generated). Not a resource bundle: SwiftPM's
/// `Bundle.module` looks beside the executable and then in the build tree, and calls
/// fatalError when neither is there — which took the whole milter down once installed.
enum EmbeddedFiles {
    /// Every file, decoded once, keyed by "Templates/…" or "Assets/…".
    static let all: [String: Data] = embeddedResourceFiles.compactMapValues { Data(base64Encoded: $0) }

    /// Mustache templates by name ("queue" for Templates/queue.mustache).
    static var templates: [String: String] {
        var templates: [String: String] = [:]
        for (key, data) in all where key.hasPrefix("Templates/") && key.hasSuffix(".mustache") {
            let name = String(key.dropFirst("Templates/".count).dropLast(".mustache".count))
            templates[name] = String(decoding: data, as: UTF8.self)
        }
        return templates
    }

    /// Static files by their path under /assets/ ("steward.css").
    static var assets: [String: Data] {
        var assets: [String: Data] = [:]
        for (key, data) in all where key.hasPrefix("Assets/") {
            assets[String(key.dropFirst("Assets/".count))] = data
        }
        return assets
    }
}
