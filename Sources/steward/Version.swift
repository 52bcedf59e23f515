/// Steward's version, as `steward --version` prints it with the commit it was built from
/// (BuildInfo, generated at build time). scripts/package names the .deb after it and checks
/// that deploy/debian/changelog's newest entry agrees.
enum StewardVersion {
    static let number = "0.9.0"

    static var full: String { "\(number) (commit \(buildCommit))" }
}
