import ArgumentParser

struct Steward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steward",
        abstract: "A mail filter that applies the union's e-mail code of practice.",
        discussion: """
            Exit codes: 0 success, 1 a message or file could not be processed, 2 usage error.
            """,
        version: StewardVersion.full,
        subcommands: [
            Serve.self, Check.self, PolicyCommand.self, QuarantineCommand.self, AuditCommand.self, UserCommand.self, ReviewCommand.self,
        ]
    )
}
