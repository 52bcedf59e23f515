public import StewardCore

/// Messages that could not be fully inspected (an inspection limit was reached) are held,
/// never passed unseen: clause 10(f)(viii), material one has reason to suspect.
public struct InspectionFamily: DetectionFamily {
    public static let limitRule = RuleDescriptor(
        id: "inspection-limit", clause: "10(f)(viii)",
        summary: "the message could not be fully inspected (too deep, too many parts, too large)",
        defaultAction: .quarantine,
        refusal: "it could not be fully inspected for unsafe material",
        clauseRequirement: "does not allow material that may be unlawful or unsafe"
    )

    public init() {}

    public var kind: String { "inspection" }
    public var rules: [RuleDescriptor] { [Self.limitRule] }

    public func evaluate(_ message: InspectedMessage, context: RuleContext) -> [RuleHit] {
        guard context.isEnabled(Self.limitRule.id) else { return [] }
        return message.limitsReached.map { RuleHit(rule: Self.limitRule.id, detail: "could not be inspected: \($0.detail)") }
    }
}
