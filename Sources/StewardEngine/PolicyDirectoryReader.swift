public import Foundation
public import StewardPolicy
import Yams

/// Reads a policy directory (`directory.yaml`, `default.yaml`, `branches/*.yaml`, and any login
/// map file directory.yaml names, relative to the directory or absolute) into `PolicyFile`s.
/// Here in the engine, not in StewardPolicy: the policy module only parses the texts it is
/// given and judges, with no file access of its own.
///
/// Paths are the directory as given joined with the file's name (`Policies/branches/london.yaml`),
/// so problems point where the user looks. Missing `directory.yaml` or `default.yaml` are left
/// for `Policy.parse` to report; a missing login map likewise, at the line that names it.
public enum PolicyDirectoryReader {
    public static func read(_ directory: URL) throws(PolicyError) -> [PolicyFile] {
        let base = directory.relativePath.hasSuffix("/") ? String(directory.relativePath.dropLast()) : directory.relativePath
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PolicyError(problems: [PolicyProblem(file: base, line: 0, message: "this is not a policy directory (it does not exist or is not a folder)")])
        }
        var files: [PolicyFile] = []
        var problems: [PolicyProblem] = []
        func load(_ name: String) {
            let absolute = name.hasPrefix("/")
            let url = absolute ? URL(fileURLWithPath: name) : directory.appendingPathComponent(name)
            let path = absolute ? name : base + "/" + name
            guard manager.fileExists(atPath: url.path) else { return }
            do {
                let data = try Data(contentsOf: url)
                files.append(PolicyFile(path: path, text: String(decoding: data, as: UTF8.self)))
            } catch {
                problems.append(PolicyProblem(file: path, line: 0, message: "could not be read: \(error.localizedDescription)"))
            }
        }
        load("directory.yaml")
        load("default.yaml")
        let branchNames = ((try? manager.contentsOfDirectory(atPath: directory.appendingPathComponent("branches").path)) ?? [])
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }
            .sorted()
        for name in branchNames { load("branches/" + name) }
        if let text = files.first(where: { $0.path.hasSuffix("/directory.yaml") })?.text,
           let name = loginMapName(in: text) {
            load(name)
        }
        guard problems.isEmpty else { throw PolicyError(problems: problems) }
        return files
    }

    /// The `login_maps` value of directory.yaml, if the file says one; bad YAML is parse's to report.
    static func loginMapName(in text: String) -> String? {
        guard let root = try? Yams.compose(yaml: text), case let .mapping(mapping) = root,
              let value = mapping["login_maps"]?.scalar?.string, !value.isEmpty,
              !value.hasSuffix("/") else { return nil }
        return value
    }
}
