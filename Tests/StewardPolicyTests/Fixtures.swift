import Foundation
import StewardCore
@testable import StewardPolicy

/// Policy texts and messages built by hand for the tests.
enum Fixtures {
    /// The shipped `Policies/` directory, found from this file's path.
    static var shippedPolicies: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Policies")
    }

    static let directory = """
    union:
      name: Test Union
      domains: [union.example]
    networks:
      - 192.0.2.0/24
      - 2001:db8:10::/48
    default_branch: hq
    branches:
      - id: hq
        name: Head Office
        members: [union.example]
      - id: north
        name: North
        members:
          - north.union.example
          - pat@union.example
      - id: south
        name: South
        members: [south.union.example]
    officials:
      - {name: Gen Sec, address: gs@union.example, role: General Secretary, branch: hq, senior: true}
      - {name: North Sec, address: sec@north.union.example, role: Branch Secretary, branch: north, senior: true}
      - {name: South Sec, address: sec@south.union.example, role: Branch Secretary, branch: south, senior: true}
    logins:
      gsec: [gs@union.example]
    login_maps: sender_login_maps
    """

    static let defaults = """
    directions: [incoming, outgoing, internal]
    inspection:
      max_depth: 12
      max_parts: 300
      max_decoded_bytes: 1000000
      timeout_seconds: 30
    rules:
      inspection-limit: {action: quarantine}
      eicar-test-signature: {action: quarantine}
    """

    static let loginMap = """
    # comment
    sec@north.union.example    nsec, helper
    @south.union.example       ssec
    shared@union.example
        gsec, nsec
    """

    static func files(
        directory: String = directory, defaults: String = defaults,
        branches: [String: String] = [:], loginMap: String = loginMap
    ) -> [PolicyFile] {
        var files = [
            PolicyFile(path: "P/directory.yaml", text: directory),
            PolicyFile(path: "P/default.yaml", text: defaults),
            PolicyFile(path: "P/sender_login_maps", text: loginMap),
        ]
        for (name, text) in branches.sorted(by: { $0.key < $1.key }) {
            files.append(PolicyFile(path: "P/branches/\(name).yaml", text: text))
        }
        return files
    }

    static func policy(branches: [String: String] = [:], defaults: String = defaults) throws -> Policy {
        try Policy.parse(files(defaults: defaults, branches: branches))
    }

    static let eicar = Array(#"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#.utf8)

    /// A two-part message: a text body and one attachment.
    /// What inspection leaves on a part holding the EICAR signature (it searches the bytes).
    static let eicarMarker = ContentMarker(kind: .eicar, detail: "EICAR test signature")

    static func message(attachment: [UInt8] = Array("hello".utf8), filename: String = "notes.txt",
                        markers: [ContentMarker] = [], limits: [LimitReached] = []) -> InspectedMessage {
        let body = MessagePart(path: [1], contentType: "text/plain", content: Array("Dear member".utf8), text: "Dear member")
        let file = MessagePart(path: [2], contentType: "application/octet-stream", filename: filename,
                               disposition: "attachment", content: attachment, markers: markers)
        let root = MessagePart(path: [], contentType: "multipart/mixed", origin: .multipart, children: [body, file])
        return InspectedMessage(headers: [RawHeader(name: "Subject", rawValue: Array(" test".utf8))],
                                root: root, limitsReached: limits, size: 100)
    }

    /// Mail from outside the union.
    static func incoming(to recipients: [String], from sender: String = "someone@elsewhere.example") -> Envelope {
        Envelope(sender: sender, recipients: recipients, clientAddress: "198.51.100.7")
    }
}
