public import Foundation

/// Reads a policy directory (`directory.yaml`, `default.yaml`, `branches/*.yaml`, and any login
/// map file they name) into `PolicyFile`s. The only I/O of the policy module.
public enum PolicyDirectoryReader {
    public static func read(_ directory: URL) throws(PolicyError) -> [PolicyFile] {
        []
    }
}
