import CStewardMilter

/// What Steward asks of the MTA when a connection opens. Pure, so it can be tested on its own.
///
/// Steward decides only at end-of-message, so every earlier step is negotiated to need no reply
/// (`SMFIP_NR_*`): the MTA streams envelope, headers and body without waiting on the milter for
/// each one. That is most of the cost of a milter on a busy MTA (see BENCHMARKS.md).
struct ProtocolNegotiation: Equatable {
    /// Actions the filter may take (SMFIF_*).
    var actions: UInt
    /// Protocol steps and flags (SMFIP_*).
    var steps: UInt

    /// Actions Steward needs: add headers (rule set to "log"), remove its release mark, and
    /// choose which macros it gets.
    static let wantedActions = UInt(SMFIF_ADDHDRS) | UInt(SMFIF_CHGHDRS) | UInt(SMFIF_SETSYMLIST)

    /// Steps whose replies Steward never needs, and steps it does not use at all: connect, HELO,
    /// DATA and end-of-headers are not sent (the client's address comes as a macro with MAIL
    /// FROM instead), which saves the MTA four packets a message.
    static let wantedSteps: UInt =
        UInt(SMFIP_NOCONNECT) | UInt(SMFIP_NOHELO) | UInt(SMFIP_NODATA) | UInt(SMFIP_NOEOH)
        | UInt(SMFIP_NOUNKNOWN)
        | UInt(SMFIP_NR_CONN) | UInt(SMFIP_NR_HELO) | UInt(SMFIP_NR_MAIL) | UInt(SMFIP_NR_RCPT)
        | UInt(SMFIP_NR_DATA) | UInt(SMFIP_NR_HDR) | UInt(SMFIP_NR_EOH) | UInt(SMFIP_NR_BODY)
        | UInt(SMFIP_NR_UNKN) | UInt(SMFIP_HDR_LEADSPC)

    /// Keeps only what the MTA offered; returns nil when the MTA cannot do what Steward must have
    /// (adding headers), so the connection is refused rather than filtered half-way.
    static func negotiate(offeredActions: UInt, offeredSteps: UInt) -> ProtocolNegotiation? {
        guard offeredActions & UInt(SMFIF_ADDHDRS) != 0 else { return nil }
        return ProtocolNegotiation(actions: wantedActions & offeredActions, steps: wantedSteps & offeredSteps)
    }

    func noReply(_ flag: Int) -> Bool { steps & UInt(flag) != 0 }
    var leadingSpaceKept: Bool { noReply(SMFIP_HDR_LEADSPC) }
    var canSetMacros: Bool { actions & UInt(SMFIF_SETSYMLIST) != 0 }
}
