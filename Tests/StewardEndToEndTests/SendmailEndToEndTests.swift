import Foundation
import StewardTestSupport
import Testing

/// Steward behind a real Sendmail (Debian's sendmail-bin, unpacked, private config on loopback;
/// `SendmailLab`), declared with the shipped `deploy/sendmail/steward.m4`: a clean message
/// passes, an unsafe one is held, and an authenticated submission reaches the policy with its
/// `{auth_authen}` login.
@Suite(
    "End to end through a private Sendmail", .serialized,
    .enabled(
        if: SendmailLab.unavailableReason == nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "skipped: needs root, m4, smtp-sink, swaks and the sendmail .debs (run scripts/install-deps as root)"))
struct SendmailEndToEndTests {
    typealias Address = EndToEndTests.Address

    @Test func cleanPassesUnsafeIsHeldAndTheLoginReachesThePolicy() throws {
        if let reason = SendmailLab.unavailableReason { throw TestFailure(reason) }
        let steward = try StewardServe(label: "sendmail")
        let lab = try SendmailLab(milterSocket: steward.socketPath)
        defer { lab.stop() }
        let auth = (SendmailLab.saslLogin, SendmailLab.saslPassword)

        // Clean, from outside: delivered.
        let clean = try lab.submit(Samples.clean(id: "sendmail-clean"), from: Address.external, to: [Address.member])
        // (Sendmail's 250 does not say "queued as": swaks' status tells acceptance.)
        #expect(clean.status == 0 && !clean.tempFailed, "\(clean)\n\(lab.diagnostics())\n\(steward.log)")
        #expect(TestSupport.waitUntil(timeout: 30) { ((try? lab.sinkMessages()) ?? []).count == 1 }, "\(lab.diagnostics())\n\(steward.log)")

        // An unsafe attachment, sent by an authenticated member: held, not delivered, and the
        // store names the login Sendmail passed as {auth_authen}.
        let unsafe = SampleMessage.eicarAttachment(from: Address.memberAddress, to: Address.external)
        let held = try lab.submit(Data(unsafe.bytes), from: Address.memberAddress, to: [Address.external], auth: auth)
        #expect(held.replyCodes.contains(235), "authenticated: \(held)")
        #expect(!held.tempFailed && !held.permanentlyFailed, "\(held)\n\(steward.log)")
        let rows = try steward.heldMessages()
        try #require(rows.count == 1, "one held message:\n\(steward.log)\n\(lab.diagnostics())")
        #expect(rows[0].auth_user == SendmailLab.saslLogin, "the login from {auth_authen}: \(rows[0])")
        #expect(rows[0].findings?.contains("eicar-test-signature") == true)

        // The same login sending as an address it does not own: refused at once (clause 14),
        // which only the {auth_authen} login can tell.
        let forged = "general.secretary@union.example"
        let refused = try lab.submit(Samples.clean(id: "sendmail-forged", from: forged, to: Address.external), from: forged, to: [Address.external], auth: auth)
        #expect(refused.replyCodes.contains(550), "\(refused)\n\(steward.log)")
        #expect(refused.transcript.contains("clause 14"), "\(refused)")
        #expect(try lab.sinkMessages().count == 1, "only the clean message was delivered")
        #expect(try steward.heldMessages().count == 1)
    }
}
