import CStewardMilter
import Logging
import StewardCore
import StewardEngine

/// Applies a decision at end-of-message: the only place Steward's verdicts become milter actions.
enum MilterReply {
    static func apply(_ decision: Decision, ctx: OpaquePointer?, logger: Logger) -> sfsistat {
        switch decision.verdict.action {
        case .accept, .tag:
            for modification in decision.modifications {
                let applied: Int32
                switch modification {
                case .add(let name, let value): applied = steward_addheader(ctx, name, value)
                case .remove(let name): applied = steward_chgheader(ctx, name, 1, nil)
                }
                if applied != MI_SUCCESS {
                    logger.error("could not change a header; answered tempfail", metadata: ["milter.modification": "\(modification)"])
                    return setReply(ctx, Decision.tempfailReply, action: SMFIS_TEMPFAIL)
                }
            }
            return sfsistat(SMFIS_CONTINUE)
        case .quarantine:
            // Discard only what the store holds; `heldID` exists only after the commit.
            guard decision.heldID != nil else {
                logger.error("held message has no quarantine id; answered tempfail")
                return setReply(ctx, Decision.tempfailReply, action: SMFIS_TEMPFAIL)
            }
            return sfsistat(SMFIS_DISCARD)
        case .reject:
            return setReply(ctx, decision.verdict.reply ?? Decision.tempfailReply, action: SMFIS_REJECT)
        case .tempfail:
            return setReply(ctx, decision.verdict.reply ?? Decision.tempfailReply, action: SMFIS_TEMPFAIL)
        }
    }

    private static func setReply(_ ctx: OpaquePointer?, _ reply: SMTPReply, action: Int32) -> sfsistat {
        _ = steward_setreply(ctx, reply.code, reply.status, replyText(reply.text))
        return sfsistat(action)
    }

    /// libmilter treats `%` as a format character and refuses CR or LF in a reply.
    static func replyText(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": result += "%%"
            case "\r", "\n": result += " "
            default: result.unicodeScalars.append(scalar.isASCII ? scalar : "?")
            }
        }
        return result
    }
}
