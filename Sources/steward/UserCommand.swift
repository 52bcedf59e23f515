import ArgumentParser
import Foundation
import StewardPolicy
import StewardReview

struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Review app accounts.", subcommands: [SetPassword.self, TOTP.self])

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-password",
            abstract: "Set the review app password of an official or review admin (read from standard input).",
            discussion: """
                The login is the person's e-mail address as the directory lists it (an official, or an \
                address under review_admins). The password is read from standard input: asked twice, \
                without echo, on a terminal; the first line otherwise. Only its Bcrypt hash is stored, \
                and the change is on the audit trail.
                """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "The account's e-mail address.") var login: String

        func run() async throws {
            let directory = store.policy().directory
            await store.withStore { quarantine in
                let password: String
                if isatty(STDIN_FILENO) == 1 {
                    let first = Terminal.readSecret(prompt: "New password for \(login.lowercased()): ")
                    let second = Terminal.readSecret(prompt: "Again: ")
                    guard first == second else { Failure(description: "the two passwords differ; nothing changed").exit() }
                    password = first
                } else {
                    password = readLine(strippingNewline: true) ?? ""
                }
                do {
                    let reviewer = try await Accounts.setPassword(password, login: login, directory: directory, store: quarantine, actor: store.who)
                    let scope = reviewer.isAdmin ? "every branch (review admin)" : reviewer.branches.joined(separator: ", ")
                    print("password set for \(reviewer.login); they may review \(scope)")
                } catch {
                    Failure(description: "\(error)").exit()
                }
            }
        }
    }
}

extension UserCommand {
    struct TOTP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "totp",
            abstract: "Set up (or remove) the second factor of a review app account: a code from an authenticator app.",
            discussion: """
                Prints an otpauth:// URI to add to an authenticator app (or to turn into a QR code, e.g. \
                with `qrencode -t ansiutf8`), and ten recovery codes, each good once, for a lost phone. \
                They are shown only now: the store keeps the secret and the codes' hashes. Running it \
                again replaces both. The change is on the audit trail.
                """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "The account's e-mail address.") var login: String
        @Flag(help: "Remove the account's second factor instead.") var remove = false

        func run() async throws {
            await store.withStore { quarantine in
                do {
                    if remove {
                        try await SecondFactorCheck.remove(login: login, store: quarantine, actor: store.who)
                        print("second factor removed for \(login.lowercased())")
                        return
                    }
                    let setup = try await SecondFactorCheck.setUp(login: login, directory: store.policy().directory, store: quarantine, actor: store.who)
                    print("Add this to the authenticator app (or show it as a QR code):")
                    print("  \(setup.uri)")
                    print("Recovery codes, each good once when the phone is lost (shown only now; keep them safe):")
                    for code in setup.recoveryCodes { print("  \(code)") }
                } catch {
                    Failure(description: "\(error)").exit()
                }
            }
        }
    }
}

/// Reading a secret from the terminal with echo off (restored even if reading fails).
enum Terminal {
    static func readSecret(prompt: String) -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        let hasTerminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if hasTerminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        }
        defer {
            if hasTerminal { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true) ?? ""
    }
}
