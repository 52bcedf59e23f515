public import Foundation

/// Drives a milter with Debian's `miltertest` (a real libmilter client, from OpenDKIM) using a
/// Lua script built here. The script fails (non-zero exit) at the first unexpected reply.
public struct MiltertestScript: Sendable {
    private var lines: [String] = []
    /// Connection macros, sent with MAIL FROM too: Steward asks for them there when it has
    /// negotiated the connect step away, as Postfix does on its request.
    private var clientMacros = ""

    public init(socket: String) {
        lines.append(
            """
            function expect(ok, what) if not ok then error("unexpected: " .. what) end end
            mt.set_timeout(30)
            conn = mt.connect("unix:\(socket)", 20, 0.25)
            expect(conn ~= nil, "connect")
            expect(mt.negotiate(conn, nil, nil, nil) == nil, "negotiate")
            """)
    }

    /// Connection facts as Postfix would send them.
    public mutating func connect(clientName: String, clientAddress: String, helo: String = "client.example") {
        clientMacros = "\"{client_addr}\", \(Self.lua(clientAddress)), \"{client_name}\", \(Self.lua(clientName)), \"j\", \"mx.union.example\", \"{daemon_name}\", \"smtpd\""
        // Steps the filter negotiated away are not sent (miltertest refuses them), as Postfix does.
        lines.append(
            """
            if not mt.test_option(conn, SMFIP_NOCONNECT) then
              mt.macro(conn, SMFIC_CONNECT, \(clientMacros))
              expect(mt.conninfo(conn, \(Self.lua(clientName)), \(Self.lua(clientAddress))) == nil, "conninfo")
            end
            if not mt.test_option(conn, SMFIP_NOHELO) then
              expect(mt.helo(conn, \(Self.lua(helo))) == nil, "helo")
            end
            """)
    }

    /// Envelope, headers and body up to (not including) end-of-message.
    public mutating func message(
        from: String, to: [String], headers: [(String, String)], body: [UInt8], authUser: String? = nil,
        queueID: String
    ) {
        var macros = "\"i\", \(Self.lua(queueID))" + (clientMacros.isEmpty ? "" : ", " + clientMacros)
        if let authUser { macros += ", \"{auth_authen}\", \(Self.lua(authUser))" }
        lines.append("mt.macro(conn, SMFIC_MAIL, \(macros))")
        lines.append("expect(mt.mailfrom(conn, \(Self.lua("<\(from)>"))) == nil, \"mailfrom\")")
        for recipient in to {
            lines.append("expect(mt.rcptto(conn, \(Self.lua("<\(recipient)>"))) == nil, \"rcptto\")")
        }
        for (name, value) in headers {
            lines.append("expect(mt.header(conn, \(Self.lua(name)), \(Self.lua(value))) == nil, \"header\")")
        }
        lines.append("if not mt.test_option(conn, SMFIP_NOEOH) then expect(mt.eoh(conn) == nil, \"eoh\") end")
        // Bodies go in chunks as an MTA sends them (Postfix: up to 64 KB).
        var offset = 0
        while offset < body.count {
            let chunk = Array(body[offset..<min(offset + 65_535, body.count)])
            lines.append("expect(mt.bodystring(conn, \(Self.lua(chunk))) == nil, \"body\")")
            offset += chunk.count
        }
    }

    /// Ends the message and checks the reply (`SMFIR_CONTINUE`, `SMFIR_DISCARD`, `SMFIR_REPLYCODE`, …).
    public mutating func endOfMessage(expect reply: String) {
        lines.append("expect(mt.eom(conn) == nil, \"eom\")")
        lines.append("local r = mt.getreply(conn)")
        lines.append("expect(r == \(reply), \"reply \" .. tostring(r) .. \" wanted \(reply)\")")
    }

    /// After an end-of-message: a header was added.
    public mutating func expectHeaderAdded(_ name: String) {
        lines.append("expect(mt.eom_check(conn, MT_HDRADD, \(Self.lua(name))), \"header added \(name)\")")
    }

    /// The MTA gives up on the message in progress (RSET or client gone).
    public mutating func abort() {
        lines.append("expect(mt.abort(conn) == nil, \"abort\")")
    }

    public mutating func raw(_ lua: String) { lines.append(lua) }

    public var text: String { (lines + ["mt.disconnect(conn)", "print(\"script ok\")"]).joined(separator: "\n") + "\n" }

    /// Runs the script; the result's status is 0 only if every expectation held.
    public func run(in directory: TemporaryDirectory, timeout: TimeInterval = 120) throws -> CommandResult {
        let path = directory.path("test-\(UUID().uuidString.prefix(6)).lua")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return try Command.run("/usr/bin/miltertest", ["-s", path], timeout: timeout)
    }

    /// A Lua string literal holding exactly these bytes (Lua long brackets would rewrite CRLF).
    static func lua(_ bytes: [UInt8]) -> String {
        var out = "\""
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                // A decimal escape takes up to three digits: pad so a following digit is not swallowed.
                let digits = String(byte)
                out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return out + "\""
    }

    static func lua(_ text: String) -> String { lua(Array(text.utf8)) }
}
