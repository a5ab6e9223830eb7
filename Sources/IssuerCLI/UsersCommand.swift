import ArgumentParser
import CouponAPI
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `couponctl users add|list`: the console's named users.
public struct UsersCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Add console users (admin or viewer) and list them.",
        subcommands: [Add.self, List.self])
    public init() {}

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a console user; asks for the password (or reads one line from standard input).",
            discussion: """
                The password is never a flag (ps would show it): on a terminal it is asked twice with \
                no echo; otherwise the first line of standard input is the password.
                Example:
                  couponctl users add mei --role admin
                """)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The user's name: letters, digits, - _ .") var name: String
        @Option(help: "admin (changes things) or viewer (only looks).") var role = "viewer"

        func run() async throws {
            guard ["admin", "viewer"].contains(role) else {
                throw ValidationError("--role is admin or viewer, not \(role)")
            }
            let password = try Self.readPassword()
            let body = ConsoleUserBody(name: name, role: role, password: password)
            say(jsonLine(try await server.withAdmin { try await $0.addConsoleUser(body) }))
        }

        static func readPassword() throws -> String {
            if isatty(STDIN_FILENO) == 1 {
                guard let first = getpass("Password for the console user: ").map({ String(cString: $0) }),
                    let second = getpass("The same password again: ").map({ String(cString: $0) })
                else { throw ValidationError("could not read the password") }
                guard first == second else { throw ValidationError("the two passwords differ") }
                return first
            }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw ValidationError("give the password as the first line of standard input")
            }
            return line
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the console users (never a password).", discussion: "Example:\n  couponctl users list")
        @OptionGroup var server: ServerOptions

        func run() async throws {
            for user in try await server.withAdmin({ try await $0.consoleUsers() }).users { say("\(user.name)  \(user.role)") }
        }
    }
}
