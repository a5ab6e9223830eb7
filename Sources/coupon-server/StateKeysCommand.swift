import ArgumentParser
import Foundation
import SignedState

/// `coupon-server state-keys list|rotate|retire`: the Ed25519 keys that sign phone-balance
/// coupons' states (docs/operations.md). The file is read at start: restart every server after a
/// change, with the same file copied to each.
struct StateKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state-keys",
        abstract: "List, rotate or retire the keys that sign phone-balance coupons' states.",
        subcommands: [List.self, Rotate.self, Retire.self])

    static func printRing(_ ring: KeyRing, path: String) {
        for entry in ring.entries { print("\(entry.id)  \(entry.status.rawValue)  \(entry.publicKeyBase64)") }
        print("(\(path), 0600; restart every server after a change)")
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the keys (id, status, public key); makes the file when there is none.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let folder = DataFolder(configuration: try common.resolve())
            StateKeysCommand.printRing(try folder.stateKeys(create: true), path: folder.stateKeysPath)
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a new signing key; the old one keeps verifying (valid) until retired.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            let folder = DataFolder(configuration: try common.resolve())
            var ring = try folder.stateKeys(create: false)
            let id = ring.rotate()
            try folder.save(ring)
            print("new signing key \(id)")
            StateKeysCommand.printRing(ring, path: folder.stateKeysPath)
        }
    }

    struct Retire: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retire a valid key: states it signed are refused from then on, online and offline.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The key id (state-keys list).") var id: String

        func run() throws {
            let folder = DataFolder(configuration: try common.resolve())
            var ring = try folder.stateKeys(create: false)
            do { try ring.retire(id) } catch { throw ValidationError(error.description) }
            try folder.save(ring)
            StateKeysCommand.printRing(ring, path: folder.stateKeysPath)
        }
    }
}
