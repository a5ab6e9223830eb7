import ArgumentParser
import CouponCore
import Foundation
import StationCLI

/// Where the server is and which key to use: a config file, then COUPON_SERVER / COUPON_API_KEY,
/// then flags (later wins).
struct ServerOptions: ParsableArguments {
    @Option(help: "Configuration file of KEY=VALUE lines (COUPON_SERVER, COUPON_API_KEY).") var config: String?
    @Option(help: "The provider's URL (env COUPON_SERVER).") var server: String?
    @Option(help: "An admin API key (env COUPON_API_KEY).") var key: String?
    @OptionGroup var trust: ServerTrustOptions

    func client() throws(IssuerError) -> AdminClient {
        let values: [String: String]
        do {
            values = try Settings.load(path: config, environment: ProcessInfo.processInfo.environment) {
                try? String(contentsOfFile: $0, encoding: .utf8)
            }
        } catch {
            throw .badInput(error.description)
        }
        guard let server = server ?? values["COUPON_SERVER"] else {
            throw .badInput("no server: give --server URL or set COUPON_SERVER")
        }
        let checked: (url: String, caFile: String?)
        do {
            checked = try trust.resolve(server: server, values: values)
        } catch {
            throw .badInput(error.description)
        }
        guard let key = key ?? values["COUPON_API_KEY"], !key.isEmpty else {
            throw .badInput("no API key: give --key KEY or set COUPON_API_KEY")
        }
        return AdminClient(baseURL: checked.url, key: key, caFile: checked.caFile)
    }
}

/// Runs a command body and turns its failure into one line on standard error and the exit status.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as IssuerError {
        Terminal.error("couponctl: \(error)")
        throw ExitCode(error.exitCode)
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        Terminal.error("couponctl: \(error)")
        throw ExitCode(2)
    }
}

/// Writes a line to standard output; a reader that went away (`| head`) ends the program quietly.
func say(_ text: String) {
    Terminal.write(text + "\n", to: 1)
}

/// A report total (a JSON integer of up to 39 digits: the server sums in 128 bits) in major units;
/// read from the number's digits, so a total past 64 bits is shown exactly, not cut.
func majorTotal(_ value: Any?, _ currency: String) -> String {
    guard let digits = (value as? NSNumber)?.stringValue, let total = Int128(digits) else { return "?" }
    guard let currency = try? Currency(code: currency) else { return digits }
    return Money.format(minorUnits: total, exponent: currency.exponent)
}

/// Amount text in major units for a currency: `300.00`.
func major(_ minor: Int64, _ currency: String) -> String {
    guard let currency = try? Currency(code: currency) else { return "\(minor)" }
    return Money(minorUnits: minor, currency: currency).formatted
}

/// `300.00` in `currency`, as minor units.
func parseAmount(_ text: String, currency: String, allowNegative: Bool = false) throws(IssuerError) -> Int64 {
    do {
        return try Money(parsing: text, currency: try Currency(code: currency), allowNegative: allowNegative)
            .minorUnits
    } catch {
        throw .badInput("bad amount '\(text)': \(error)")
    }
}

/// JSON text of an object, keys sorted, slashes unescaped.
func jsonLine(_ object: Any) -> String {
    let data =
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    return String(decoding: data, as: UTF8.self)
}
