import Testing

@testable import StewardMilter

@Suite struct MilterReplyTests {
    @Test func replyTextIsSafeForLibmilter() {
        #expect(MilterReply.replyText("100% sure\r\nnext") == "100%% sure  next")
        #expect(MilterReply.replyText("café") == "caf?")
    }
}
