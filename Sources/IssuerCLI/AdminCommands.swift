import ArgumentParser
import CLISupport
import CouponAPI
import CouponClient
import CouponCore
import Foundation

/// `couponctl products import|set|list`.
public struct ProductsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "products", abstract: "Manage the catalogue the provider prices baskets from.",
        subcommands: [Import.self, Set.self, List.self])
    public init() {}

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a CSV catalogue (code,name,price,currency): all rows or none.",
            discussion: "Example:\n  couponctl products import samples/catalog.csv")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw IssuerError.badInput("cannot read \(file)")
            }
            let answer = try await server.withAdmin { try await $0.importProducts(csv: [UInt8](data)) }
            say("imported \(answer.imported) products")
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or change one product.",
            discussion:
                "Example:\n  couponctl products set 6901234567892 --name \"蛋糕 Cake\" --price 100.00 --currency CNY")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The product code (GTIN or internal).") var code: String
        @Option var name: String
        @Option(help: "The unit price, such as 100.00.") var price: String
        @Option var currency = "CNY"

        func run() async throws {
            guard code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
                !code.isEmpty
            else { throw IssuerError.badInput("'\(code)' is not a product code") }
            let minor = try parseAmount(price, currency: currency)
            let body = ProductBody(name: name, price: Amount(amount: minor, currency: currency.uppercased()))
            let code = self.code
            say(productLine(try await server.withAdmin { try await $0.putProduct(code: code, body) }))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the catalogue.", discussion: "Example:\n  couponctl products list --json")
        @OptionGroup var server: ServerOptions
        @Flag(help: "One JSON object per product.") var json = false

        func run() async throws {
            let json = self.json
            try await server.withAdmin { admin in
                var after: String? = nil
                repeat {
                    let page = try await admin.products(after: after)
                    for product in page.products { say(json ? jsonLine(product) : productLine(product)) }
                    after = page.next
                } while after != nil
            }
        }
    }
}

func productLine(_ product: ProductInfo) -> String {
    "\(product.code)  \(major(product.price)) \(product.price.currency)  \(product.name)"
}

/// `couponctl stations add|list`.
public struct StationsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stations",
        abstract: "Register stations (each gets its key, shown once), list them, set their offline limits.",
        subcommands: [Add.self, List.self, OfflineLimit.self])
    public init() {}

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a station and print its key, once.",
            discussion: "Example:\n  couponctl stations add till-1")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The station's name: letters, digits, - _ .") var name: String

        func run() async throws {
            let name = self.name
            say(jsonLine(try await server.withAdmin { try await $0.addStation(name: name) }))
        }
    }

    struct OfflineLimit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "offline-limit",
            abstract: "How far a station may sell offline from phone-balance coupons (off until set).",
            discussion: "Example:\n  couponctl stations offline-limit till-1 --per-sale 50.00 --per-day 100.00 --currency CNY")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The station's name.") var name: String
        @Option(name: .customLong("per-sale"), help: "The most one offline sale may take, such as 50.00.")
        var perSale: String
        @Option(name: .customLong("per-day"), help: "The most one coupon may give offline at this station a day.")
        var perDay: String
        @Option var currency = "CNY"

        func run() async throws {
            let code = currency.uppercased()
            let body = OfflineLimitBody(
                perSale: Amount(amount: try parseAmount(perSale, currency: code), currency: code),
                perDay: Amount(amount: try parseAmount(perDay, currency: code), currency: code))
            let name = self.name
            let set = try await server.withAdmin { try await $0.setOfflineLimit(station: name, body) }
            say("\(name): offline up to \(major(set.perSale)) \(code) per sale, \(major(set.perDay)) per coupon a day")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the stations' keys (never the keys themselves).",
            discussion: "Example:\n  couponctl stations list")
        @OptionGroup var server: ServerOptions

        func run() async throws {
            for key in try await server.withAdmin({ try await $0.stations() }).keys { say(keyLine(key)) }
        }
    }
}

func keyLine(_ key: KeySummary) -> String {
    [
        key.id, key.role, key.station ?? key.name ?? "-", "created " + key.createdAt,
        key.revokedAt.map { "revoked " + $0 } ?? "active",
    ].joined(separator: "  ")
}

/// `couponctl keys list|revoke`.
public struct KeysCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "List API keys, add named admin keys, revoke keys.",
        subcommands: [List.self, Add.self, Revoke.self])
    public init() {}

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every API key (never the keys themselves).", discussion: "Example:\n  couponctl keys list")
        @OptionGroup var server: ServerOptions

        func run() async throws {
            for key in try await server.withAdmin({ try await $0.keys() }).keys { say(keyLine(key)) }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a named admin key; it is printed once (the ledger names its holder).",
            discussion: """
                Rotate away from the first-start key: add a named key, switch to it, revoke the old one.
                Example:
                  couponctl keys add alice
                """)
        @OptionGroup var server: ServerOptions
        @Argument(help: "The holder's name: letters, digits, '-', '_' or '.'.") var name: String

        func run() async throws {
            let name = self.name
            let answer = try await server.withAdmin { try await $0.addAdminKey(name: name) }
            say(answer.key)
            Terminal.error("admin key \(answer.keyID) for \(name): shown this once")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key by its id: it stops working at once.",
            discussion: "Example:\n  couponctl keys revoke key_4f0c1d2e3a4b5c6d7e8f")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The key's id (from keys list).") var id: String

        func run() async throws {
            let id = try pathSegment(self.id)
            for key in try await server.withAdmin({ try await $0.revokeKey(id: id) }).keys { say(keyLine(key)) }
        }
    }
}

/// `couponctl report liability|campaign|daily`.
public struct ReportCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Outstanding liability, a campaign's figures, a day's totals per station.",
        subcommands: [Liability.self, Campaign.self, Daily.self])
    public init() {}

    struct Liability: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Outstanding balances (what the provider owes its customers).",
            discussion: "Example:\n  couponctl report liability --as-of 2026-12-31")
        @OptionGroup var server: ServerOptions
        @Option(name: .customLong("as-of"), help: "At the end of this day, YYYY-MM-DD.") var asOf: String?
        @Flag var json = false

        func run() async throws {
            let asOf = try self.asOf.map { try dateParameter($0) }
            let report = try await server.withAdmin { try await $0.liability(asOf: asOf) }
            if json { return say(jsonLine(report)) }
            say("outstanding as of \(report.asOf)")
            for total in report.outstanding { say("  \(total.currency) \(majorTotal(total.amount, total.currency))") }
        }
    }

    struct Campaign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issued, redeemed, outstanding and expired (breakage) for a campaign.",
            discussion: "Example:\n  couponctl report campaign spring-2026")
        @OptionGroup var server: ServerOptions
        @Argument var name: String
        @Flag var json = false

        func run() async throws {
            let name = self.name
            let report = try await server.withAdmin { try await $0.campaign(name) }
            if json { return say(jsonLine(report)) }
            for total in report.totals {
                func figure(_ value: Int128) -> String { majorTotal(value, total.currency) }
                say(
                    "\(name) \(total.currency): \(total.coupons) coupons, issued \(figure(total.issued)), "
                        + "loaded \(figure(total.loaded)), adjusted \(figure(total.adjusted)), "
                        + "redeemed \(figure(total.redeemed)), expired \(figure(total.expired)), "
                        + "outstanding \(figure(total.outstanding))")
            }
        }
    }

    struct Daily: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "End-of-day totals per station: settlements, captured, refunded, voided.",
            discussion: "Example:\n  couponctl report daily --date 2026-11-25 --station till-1")
        @OptionGroup var server: ServerOptions
        @Option(help: "The day, YYYY-MM-DD, in the server's time zone.") var date: String
        @Option(help: "Only this station.") var station: String?
        @Flag var json = false

        func run() async throws {
            let date = try dateParameter(self.date)
            if let station {
                guard station.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                    throw IssuerError.badInput("'\(station)' is not a station name")
                }
            }
            let station = self.station
            let report = try await server.withAdmin { try await $0.daily(date: date, station: station) }
            if json { return say(jsonLine(report)) }
            for row in report.stations {
                say(
                    "\(date) \(row.station): \(row.settlements) settlements, "
                        + "captured \(majorTotal(row.captured, row.currency)) \(row.currency), "
                        + "refunded \(majorTotal(row.refunded, row.currency)), "
                        + "voided \(row.voided), expired holds \(row.expiredHolds)"
                        + (row.offline > 0 || row.shortfall > 0
                            ? ", offline \(row.offline) (shortfall \(majorTotal(row.shortfall, row.currency)))" : ""))
            }
        }
    }
}

/// A date for a query: YYYY-MM-DD only.
func dateParameter(_ text: String) throws(IssuerError) -> String {
    let parts = text.split(separator: "-")
    guard text.count == 10, parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else {
        throw .badInput("write a date as YYYY-MM-DD, not '\(text)'")
    }
    return text
}

/// `couponctl audit`: the server's ledger audit; non-zero on any discrepancy.
public struct AuditCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check every balance against the ledger; exit 1 on any discrepancy.",
        discussion: "Example:\n  couponctl audit")
    @OptionGroup var server: ServerOptions
    public init() {}

    public func run() async throws {
        let audit = try await server.withAdmin { try await $0.audit() }
        for finding in audit.findings { say(jsonLine(finding)) }
        for shortfall in audit.shortfalls {
            say(
                "explained: offline shortfall \(major(shortfall.amount)) \(shortfall.amount.currency) on \(shortfall.couponID) "
                    + "(settlement \(shortfall.settlementID) at \(shortfall.station), \(shortfall.at)): two tills spent one "
                    + "state offline; the coupon is \(shortfall.state)"
                    + (shortfall.state == "blocked" ? " for review (couponctl unblock once settled with the customer)" : ""))
        }
        guard audit.ok else { throw IssuerError.discrepancy("the audit found \(audit.findings.count) discrepancies") }
        say("audit ok: every balance follows from its ledger and every hold is accounted for")
    }
}

/// `couponctl backup FILE`: an online backup, checked by the server, downloaded.
public struct BackupCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Download an online backup of the provider's database.",
        discussion: "Example:\n  couponctl backup backups/coupons-2026-11-25.sqlite")
    @OptionGroup var server: ServerOptions
    @Argument(help: "The file to write (must not exist).") var file: String
    public init() {}

    public func run() async throws {
        do {
            guard !FileManager.default.fileExists(atPath: file) else { throw IssuerError.badInput("\(file) exists") }
            let data = try await server.withAdmin { try await $0.backup() }
            let sqlite = data.starts(with: Array("SQLite format 3\0".utf8))
            guard sqlite || data.starts(with: Array("PGDMP".utf8)) else {
                throw IssuerError.server("the backup is neither a SQLite database nor a pg_dump archive")
            }
            guard FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw IssuerError.badInput("cannot write \(file)") }
            say(
                "backup of \(data.count) bytes written to \(file)"
                    + (sqlite ? "" : " (a pg_dump archive: restore it with pg_restore)"))
        }
    }
}

/// `couponctl export --since DATE [--csv]`: the ledger for bookkeeping.
public struct ExportCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export the ledger from a date, as JSON lines or CSV.",
        discussion: """
            CSV cells that start with =, +, - or @ are prefixed with ' so a spreadsheet does not run them.
            Example:
              couponctl export --since 2026-11-01 --csv > ledger.csv
            """)
    @OptionGroup var server: ServerOptions
    @Option(help: "From the start of this day, YYYY-MM-DD.") var since: String
    @Flag var csv = false
    public init() {}

    static let columns = [
        "seq", "at", "coupon_id", "kind", "amount", "currency", "balance_before", "balance_after", "actor",
        "settlement_id",
    ]

    public func run() async throws {
        let since = try dateParameter(self.since)
        let csv = self.csv
        if csv { say(Self.columns.joined(separator: ",")) }
        try await server.withAdmin { admin in
            var after: String?
            while true {
                let page = try await admin.export(since: since, after: after)
                for entry in page.entries { say(csv ? Self.row(entry) : jsonLine(entry)) }
                guard let next = page.next else { break }
                after = next
            }
        }
    }

    /// One CSV row, in ``columns`` order, amounts in major units.
    static func row(_ entry: ExportEntry) -> String {
        [
            "\(entry.seq)", entry.at, entry.couponID, entry.kind, major(entry.amount), entry.amount.currency,
            major(entry.balanceBefore), major(entry.balanceAfter), entry.actor, entry.settlementID ?? "",
        ].map(CSVCell.escape).joined(separator: ",")
    }
}
