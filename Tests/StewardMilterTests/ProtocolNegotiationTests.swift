import CStewardMilter
import Testing

@testable import StewardMilter

@Suite struct ProtocolNegotiationTests {
    @Test func everyStepBeforeEndOfMessageNeedsNoReplyWhenTheMTAOffersIt() throws {
        let everything = UInt.max
        let chosen = try #require(ProtocolNegotiation.negotiate(offeredActions: everything, offeredSteps: everything))
        for flag in [SMFIP_NR_CONN, SMFIP_NR_HELO, SMFIP_NR_MAIL, SMFIP_NR_RCPT, SMFIP_NR_DATA, SMFIP_NR_HDR, SMFIP_NR_EOH, SMFIP_NR_BODY] {
            #expect(chosen.noReply(flag))
        }
        #expect(chosen.leadingSpaceKept)
        #expect(chosen.canSetMacros)
        // Steward never asks to skip what it must see...
        for flag in [SMFIP_NOHDRS, SMFIP_NOBODY, SMFIP_NORCPT, SMFIP_NOMAIL] {
            #expect(chosen.steps & UInt(flag) == 0)
        }
        // ...and skips the steps it has no use for: four packets a message fewer.
        for flag in [SMFIP_NOCONNECT, SMFIP_NOHELO, SMFIP_NODATA, SMFIP_NOEOH, SMFIP_NOUNKNOWN] {
            #expect(chosen.steps & UInt(flag) != 0)
        }
    }

    @Test func onlyOfferedStepsAreTaken() throws {
        let offered = UInt(SMFIP_NR_HDR) | UInt(SMFIP_NOUNKNOWN)
        let chosen = try #require(ProtocolNegotiation.negotiate(offeredActions: UInt(SMFIF_ADDHDRS), offeredSteps: offered))
        #expect(chosen.steps == offered)
        #expect(!chosen.noReply(SMFIP_NR_BODY))
        #expect(!chosen.leadingSpaceKept)
        #expect(!chosen.canSetMacros)
    }

    @Test func anMTAThatCannotAddHeadersIsRefused() {
        #expect(ProtocolNegotiation.negotiate(offeredActions: UInt(SMFIF_CHGBODY), offeredSteps: UInt.max) == nil)
    }
}
