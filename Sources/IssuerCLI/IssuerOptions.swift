import ArgumentParser
import CLISupport
import CouponAPI
import CouponClient
import CouponCore
import Foundation

/// Where the server is and which key to use: a config file, then COUPON_SERVER / COUPON_API_KEY,
/// then flags (later wins).
struct ServerOptions: ParsableArguments {
    @Option(help: "Configuration file of KEY=VALUE lines (COUPON_SERVER, COUPON_API_KEY).") var config: String?
    @Option(
        help: "The provider's URL, or several servers of it separated by commas, tried in turn (env COUPON_SERVER).")
    var server: String?
    @Option(help: "An admin API key (env COUPON_API_KEY); --key-file keeps it out of ps.") var key: String?
    @Option(name: .customLong("key-file"), help: "A file holding the API key (mode 0600, as data/admin.key is).")
    var keyFile: String?
    @OptionGroup var trust: ServerTrustOptions

    /// Runs `body` with the admin calls these options point at; the HTTP client is shut down after.
    /// A failed call is thrown as ``IssuerError``.
    func withAdmin<T: Sendable>(_ body: (AdminAPI) async throws -> T) async throws -> T {
        let values: [String: String]
        do { values = try Settings.load(path: config) } catch { throw IssuerError.badInput(error.description) }
        guard let server = server ?? values["COUPON_SERVER"] else {
            throw IssuerError.badInput("no server: give --server URL or set COUPON_SERVER")
        }
        let checked: (url: String, caFile: String?)
        do { checked = try trust.resolve(server: server, values: values) } catch {
            throw IssuerError.badInput(error.description)
        }
        var fromFile: String?
        if let keyFile {
            do { fromFile = try KeyFile.read(keyFile) } catch { throw IssuerError.badInput(error.description) }
        }
        guard let key = key ?? fromFile ?? values["COUPON_API_KEY"], !key.isEmpty else {
            throw IssuerError.badInput("no API key: give --key-file FILE, set COUPON_API_KEY, or give --key KEY")
        }
        do {
            return try await withHTTPClient(caFile: checked.caFile) { http in
                var client = APIClient(http: http, baseURL: checked.url, key: key)
                client.timeout = .seconds(120)
                client.retry = RetryPolicy(attempts: 3, base: .milliseconds(300))
                return try await calling { try await body(AdminAPI(client)) }
            }
        } catch let error as ClientTLSError {
            throw IssuerError.badInput(error.description)
        }
    }
}

/// Writes a line to standard output; a reader that went away (`| head`) ends the program quietly.
func say(_ text: String) {
    Terminal.write(text + "\n", to: 1)
}

/// A report total in major units, exact past 64 bits.
func majorTotal(_ total: Int128, _ currency: String) -> String {
    guard let currency = try? Currency(code: currency) else { return "\(total)" }
    return Money.format(minorUnits: total, exponent: currency.exponent)
}

/// Amount text in major units for a currency: `300.00`.
func major(_ minor: Int64, _ currency: String) -> String {
    guard let currency = try? Currency(code: currency) else { return "\(minor)" }
    return Money(minorUnits: minor, currency: currency).formatted
}

func major(_ amount: Amount) -> String { major(amount.amount, amount.currency) }

/// `300.00` in `currency`, as minor units.
func parseAmount(_ text: String, currency: String, allowNegative: Bool = false) throws(IssuerError) -> Int64 {
    do {
        return try Money(parsing: text, currency: try Currency(code: currency), allowNegative: allowNegative)
            .minorUnits
    } catch {
        throw .badInput("bad amount '\(text)': \(error)")
    }
}

/// JSON text of a value, keys sorted, slashes unescaped.
func jsonLine(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
}
