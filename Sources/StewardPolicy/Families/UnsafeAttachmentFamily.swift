public import StewardCore

/// Unsafe material in attachments and bodies: clause 10(f)(viii) and the NUT security advice.
/// Later rules (executables by true type, type lies, archives, macros...) join this family.
public struct UnsafeAttachmentFamily: DetectionFamily {
    public static let eicarRule = RuleDescriptor(
        id: "eicar-test-signature", clause: "10(f)(viii)",
        summary: "the EICAR anti-virus test signature, in any part",
        defaultAction: .quarantine,
        refusal: "it carries the EICAR anti-virus test signature",
        clauseRequirement: "does not allow unsafe material"
    )

    /// The standard EICAR test file, 68 bytes.
    static let eicar: [UInt8] = Array(
        #"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"#.utf8
    )

    public init() {}

    public var kind: String { "unsafe-attachment" }
    public var rules: [RuleDescriptor] { [Self.eicarRule] }

    public func evaluate(_ message: InspectedMessage, context: RuleContext) -> [RuleHit] {
        guard context.isEnabled(Self.eicarRule.id) else { return [] }
        return message.allParts
            .filter { ByteSearch.contains(Self.eicar, in: $0.content) || ($0.text.map { ByteSearch.contains(Self.eicar, in: $0) } ?? false) }
            .map { RuleHit(rule: Self.eicarRule.id, detail: "\($0.displayPath): the EICAR anti-virus test signature") }
    }
}
