import ArgumentParser
import CouponStore
import Foundation

/// `coupon-server secret status|rotate|retire`: the code-hash secret by versions.
struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret", abstract: "Rotate the code-hash secret by versions (docs/operations.md).",
        subcommands: [Status.self, Rotate.self, Retire.self])

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the live secret versions and how many live coupons each still holds.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let configuration = try common.resolve()
            let folder = DataFolder(configuration: configuration)
            let (store, secrets) = try await StoreOpener.open(configuration, folder: folder, createSecret: false)
            let counts = try await store.codeHashVersions()
            await StoreOpener.close(store)
            for (version, _) in secrets {
                let role = version == secrets.map(\.version).max() ? "new codes" : "lookups only"
                print(
                    "v\(version)  \(counts[version, default: 0]) live coupons  \(role)  \(folder.secretPath(version: version))"
                )
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the next secret version; restart every server to use it for new codes.",
            discussion:
                "Coupons issued before keep working: they are found under their old version and moved to the new one when next settled."
        )
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let configuration = try common.resolve()
            let folder = DataFolder(configuration: configuration)
            let next = (try folder.secrets().map(\.version).max() ?? 1) + 1
            try folder.writePrivate(CodeHasher.newSecret(), to: folder.secretPath(version: next))
            print("secret v\(next) written to \(folder.secretPath(version: next)) (0600); restart the server to use it")
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an old secret version once no live coupon needs it (--force: even then).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The version to retire (not the newest).") var version: Int
        @Flag(help: "Retire even though live coupons still need it (their codes stop working).") var force = false

        func run() async throws {
            let configuration = try common.resolve()
            let folder = DataFolder(configuration: configuration)
            let secrets = try folder.secrets()
            guard secrets.contains(where: { $0.version == version }) else {
                throw ValidationError("there is no secret v\(version)")
            }
            guard version != secrets.map(\.version).max() else {
                throw ValidationError("v\(version) is the newest secret; rotate first")
            }
            let (store, _) = try await StoreOpener.open(configuration, folder: folder, createSecret: false)
            let live = try await store.codeHashVersions()[version, default: 0]
            await StoreOpener.close(store)
            guard live == 0 || force else {
                throw ValidationError("\(live) live coupons are still hashed under v\(version); they move when settled")
            }
            try FileManager.default.removeItem(atPath: folder.secretPath(version: version))
            print("secret v\(version) retired; restart the server")
        }
    }
}
