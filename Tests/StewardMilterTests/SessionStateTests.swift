import StewardCore
import Testing

@testable import StewardMilter

@Suite struct SessionStateTests {
    private func connected() -> SessionState {
        var state = SessionState()
        state.connect(clientName: "mx.example.org", clientAddress: "192.0.2.7", daemonName: "smtpd", mtaHostName: "mail.union.example")
        state.helo("mx.example.org")
        return state
    }

    @Test func severalMessagesOnOneConnectionKeepTheirOwnEnvelopes() {
        var state = connected()
        state.mailFrom("<Alice@Example.org>", authUser: nil, queueID: nil)
        state.rcptTo("<bob@union.example>")
        _ = state.header(name: "Subject", value: Array(" one".utf8), leadingSpaceKept: true)
        _ = state.endOfHeaders()
        let first = state.endOfMessage(queueID: "4ABC1")

        state.mailFrom("<carol@example.org>", authUser: "carol", queueID: nil)
        state.rcptTo("<dave@union.example>")
        state.rcptTo("<erin@union.example>")
        let second = state.endOfMessage(queueID: "4ABC2")

        #expect(first.sender == "alice@example.org")
        #expect(first.recipients == ["bob@union.example"])
        #expect(first.queueID == "4ABC1")
        #expect(first.authUser == nil)
        #expect(first.clientAddress == "192.0.2.7")
        #expect(second.recipients == ["dave@union.example", "erin@union.example"])
        #expect(second.authUser == "carol")
        #expect(second.clientName == "mx.example.org")
        #expect(second.helo == "mx.example.org")
        #expect(state.messagesSeen == 2)
        #expect(!state.messageInProgress)
    }

    @Test func abortMidMessageDropsItAndTheNextMessageStartsClean() {
        var state = connected()
        state.mailFrom("<a@example.org>", authUser: nil, queueID: nil)
        state.rcptTo("<b@union.example>")
        _ = state.header(name: "Subject", value: Array(" dropped".utf8), leadingSpaceKept: true)
        #expect(state.messageInProgress)
        state.abort()
        #expect(!state.messageInProgress)
        #expect(state.headers.isEmpty)

        state.mailFrom("<c@example.org>", authUser: nil, queueID: nil)
        state.rcptTo("<d@union.example>")
        let envelope = state.endOfMessage(queueID: nil)
        #expect(envelope.recipients == ["d@union.example"])
        #expect(state.messagesSeen == 1)
    }

    @Test func headerBytesAreKeptExactlyWithFoldingWrittenAsCRLF() {
        var state = connected()
        state.mailFrom("<a@example.org>", authUser: nil, queueID: nil)
        let folded = Array(" first line\n\tsecond line".utf8)
        let written = state.header(name: "Subject", value: folded, leadingSpaceKept: true)
        #expect(written == Array("Subject: first line\r\n\tsecond line\r\n".utf8))
        #expect(state.headers.first?.value == "first line second line")

        let latin1: [UInt8] = [0x20, 0x43, 0x61, 0x66, 0xE9]  // " Café" in ISO-8859-1, 8-bit
        let raw = state.header(name: "X-Note", value: latin1, leadingSpaceKept: true)
        #expect(raw == Array("X-Note:".utf8) + latin1 + [13, 10])
    }

    @Test func aSpaceIsPutBackWhenTheMTAStrippedIt() {
        var state = connected()
        state.mailFrom("<a@example.org>", authUser: nil, queueID: nil)
        #expect(state.header(name: "To", value: Array("b@union.example".utf8), leadingSpaceKept: false)
            == Array("To: b@union.example\r\n".utf8))
        #expect(state.endOfHeaders() == [13, 10])
        #expect(state.phase == .body)
    }

    @Test func queueIDKnownOnlyAtEndOfMessageIsRecorded() {
        var state = connected()
        state.mailFrom("<>", authUser: "", queueID: nil)
        let envelope = state.endOfMessage(queueID: "9F00D")
        #expect(envelope.queueID == "9F00D")
        #expect(envelope.sender == "")
        #expect(envelope.authUser == nil, "an empty {auth_authen} means not authenticated")
    }
}
