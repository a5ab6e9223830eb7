import ArgumentParser
import CouponCore
import Foundation
import StationCLI

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
            try await runReporting {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw IssuerError.badInput("cannot read \(file)")
                }
                let answer = try await server.client().call(
                    "POST", "/v1/products/import", body: [UInt8](data), contentType: "text/csv")
                say("imported \(answer["imported"] as? Int ?? 0) products")
            }
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
            try await runReporting {
                guard code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
                    !code.isEmpty
                else { throw IssuerError.badInput("'\(code)' is not a product code") }
                let minor = try parseAmount(price, currency: currency)
                let product = try await server.client().call(
                    "PUT", "/v1/products/\(code)",
                    json: ["name": name, "price": ["amount": minor, "currency": currency.uppercased()]])
                say(productLine(product))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the catalogue.", discussion: "Example:\n  couponctl products list --json")
        @OptionGroup var server: ServerOptions
        @Flag(help: "One JSON object per product.") var json = false

        func run() async throws {
            try await runReporting {
                let client = try server.client()
                var after: String? = nil
                repeat {
                    let page = try await client.call(
                        "GET", "/v1/products?limit=1000" + (after.map { "&after=\($0)" } ?? ""))
                    for product in page["products"] as? [[String: Any]] ?? [] {
                        say(json ? jsonLine(product) : productLine(product))
                    }
                    after = page["next"] as? String
                } while after != nil
            }
        }
    }
}

func productLine(_ product: [String: Any]) -> String {
    let price = product.amount("price")
    return "\(product["code"] as? String ?? "")  \(price.map { major($0.minor, $0.currency) } ?? "")"
        + " \(price?.currency ?? "")  \(product["name"] as? String ?? "")"
}

/// `couponctl stations add|list`.
public struct StationsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "stations", abstract: "Register stations (each gets its key, shown once) and list them.",
        subcommands: [Add.self, List.self])
    public init() {}

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a station and print its key, once.",
            discussion: "Example:\n  couponctl stations add till-1")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The station's name: letters, digits, - _ .") var name: String

        func run() async throws {
            try await runReporting {
                let answer = try await server.client().call("POST", "/v1/stations", json: ["name": name])
                say(jsonLine(answer))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the stations' keys (never the keys themselves).",
            discussion: "Example:\n  couponctl stations list")
        @OptionGroup var server: ServerOptions

        func run() async throws {
            try await runReporting {
                for key in try await server.client().call("GET", "/v1/stations")["keys"] as? [[String: Any]] ?? [] {
                    say(keyLine(key))
                }
            }
        }
    }
}

func keyLine(_ key: [String: Any]) -> String {
    [
        key["id"] as? String ?? "", key["role"] as? String ?? "",
        key["station"] as? String ?? key["name"] as? String ?? "-",
        "created " + (key["created_at"] as? String ?? ""),
        (key["revoked_at"] as? String).map { "revoked " + $0 } ?? "active",
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
            try await runReporting {
                for key in try await server.client().call("GET", "/v1/keys")["keys"] as? [[String: Any]] ?? [] {
                    say(keyLine(key))
                }
            }
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
            try await runReporting {
                let answer = try await server.client().call(
                    "POST", "/v1/keys", json: ["name": name], idempotencyKey: "ctl-\(SecureID.hex())")
                say(answer["key"] as? String ?? "")
                Terminal.error("admin key \(answer["key_id"] as? String ?? "") for \(name): shown this once")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key by its id: it stops working at once.",
            discussion: "Example:\n  couponctl keys revoke key_4f0c1d2e3a4b5c6d7e8f")
        @OptionGroup var server: ServerOptions
        @Argument(help: "The key's id (from keys list).") var id: String

        func run() async throws {
            try await runReporting {
                let answer = try await server.client().call("POST", "/v1/keys/\(try pathSegment(id))/revoke")
                for key in answer["keys"] as? [[String: Any]] ?? [] { say(keyLine(key)) }
            }
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
            try await runReporting {
                let report = try await server.client().call(
                    "GET", "/v1/reports/liability" + (asOf.map { "?as_of=\(try dateParameter($0))" } ?? ""))
                if json { return say(jsonLine(report)) }
                say("outstanding as of \(report["as_of"] as? String ?? "")")
                for total in report["outstanding"] as? [[String: Any]] ?? [] {
                    let currency = total["currency"] as? String ?? ""
                    say("  \(currency) \(majorTotal(total["amount"], currency))")
                }
            }
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
            try await runReporting {
                let escaped = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? name
                let report = try await server.client().call("GET", "/v1/reports/campaign/\(escaped)")
                if json { return say(jsonLine(report)) }
                for total in report["totals"] as? [[String: Any]] ?? [] {
                    let currency = total["currency"] as? String ?? ""
                    func figure(_ key: String) -> String { majorTotal(total[key], currency) }
                    say(
                        "\(name) \(currency): \(total["coupons"] as? Int ?? 0) coupons, issued \(figure("issued")), "
                            + "loaded \(figure("loaded")), adjusted \(figure("adjusted")), redeemed \(figure("redeemed")), "
                            + "expired \(figure("expired")), outstanding \(figure("outstanding"))")
                }
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
            try await runReporting {
                var path = "/v1/reports/daily?date=\(try dateParameter(date))"
                if let station {
                    guard station.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
                    else {
                        throw IssuerError.badInput("'\(station)' is not a station name")
                    }
                    path += "&station=\(station)"
                }
                let report = try await server.client().call("GET", path)
                if json { return say(jsonLine(report)) }
                for row in report["stations"] as? [[String: Any]] ?? [] {
                    let currency = row["currency"] as? String ?? ""
                    func figure(_ key: String) -> String { majorTotal(row[key], currency) }
                    say(
                        "\(date) \(row["station"] as? String ?? ""): \(row["settlements"] as? Int ?? 0) settlements, "
                            + "captured \(figure("captured")) \(currency), refunded \(figure("refunded")), "
                            + "voided \(row["voided"] as? Int ?? 0), expired holds \(row["expired_holds"] as? Int ?? 0)"
                    )
                }
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
        try await runReporting {
            let audit = try await server.client().call("GET", "/v1/audit")
            let findings = audit["findings"] as? [[String: Any]] ?? []
            for finding in findings { say(jsonLine(finding)) }
            guard audit["ok"] as? Bool == true else {
                throw IssuerError.discrepancy("the audit found \(findings.count) discrepancies")
            }
            say("audit ok: every balance follows from its ledger and every hold is accounted for")
        }
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
        try await runReporting {
            guard !FileManager.default.fileExists(atPath: file) else { throw IssuerError.badInput("\(file) exists") }
            let data = try await server.client().raw("POST", "/v1/backup")
            guard data.starts(with: Array("SQLite format 3\0".utf8)) else {
                throw IssuerError.server("the backup is not an SQLite database")
            }
            guard FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw IssuerError.badInput("cannot write \(file)") }
            say("backup of \(data.count) bytes written to \(file)")
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
        try await runReporting {
            let client = try server.client()
            if csv { say(Self.columns.joined(separator: ",")) }
            var after: Int64 = 0
            while true {
                let page = try await client.call(
                    "GET", "/v1/export?since=\(try dateParameter(since))&after=\(after)&limit=5000")
                for entry in page["entries"] as? [[String: Any]] ?? [] {
                    if csv {
                        say(
                            Self.columns.map { column -> String in
                                let value = entry[column]
                                if column.hasPrefix("amount") || column.hasPrefix("balance"),
                                    let minor = (value as? NSNumber)?.int64Value
                                {
                                    return CSVCell.escape(major(minor, entry["currency"] as? String ?? ""))
                                }
                                return CSVCell.escape(value.map { "\($0)" } ?? "")
                            }.joined(separator: ","))
                    } else {
                        say(jsonLine(entry))
                    }
                }
                guard let next = (page["next"] as? NSNumber)?.int64Value else { break }
                after = next
            }
        }
    }
}
