import Foundation

/// The three programs' settings: a file of `KEY=VALUE` lines (`#` comments), then the `COUPON_*`
/// environment on top; the caller applies its flags last.
public enum Settings {
    /// Every key of every program, with who reads it: one list, so a file's typo is named
    /// instead of ignored. docs/operations.md and docs/station.md describe each.
    public static let keys: [String: String] = [
        // coupon-server
        "COUPON_HOST": "server", "COUPON_PORT": "server", "COUPON_DATABASE": "server",
        "COUPON_PUBLIC_URL": "server", "COUPON_HOLD_SECONDS": "server", "COUPON_TIME_ZONE": "server",
        "COUPON_TRUSTED_PROXIES": "server", "COUPON_FAILURE_LIMIT": "server", "COUPON_PHONE_RETENTION_DAYS": "server",
        "COUPON_LOG_LEVEL": "server", "COUPON_OUTBOX_WEBHOOK": "server",
        "COUPON_TLS_CERT": "server", "COUPON_TLS_KEY": "server", "COUPON_MAX_BALANCE": "server",
        "COUPON_MAX_PRICE": "server", "COUPON_MAX_BATCH": "server", "COUPON_MAX_BODY": "server",
        "COUPON_MAX_BASKET_BODY": "server", "COUPON_MAX_BULK_BODY": "server", "COUPON_HEADER_TIMEOUT": "server",
        "COUPON_IDLE_TIMEOUT": "server", "COUPON_MAX_PENDING_CONNECTIONS": "server",
        "COUPON_MAX_CONNECTIONS": "server", "COUPON_DESCRIPTOR_RESERVE": "server",
        // coupon-station and couponctl
        "COUPON_SERVER": "station, couponctl", "COUPON_API_KEY": "station, couponctl",
        "COUPON_CA_FILE": "station, couponctl", "COUPON_ALLOW_HTTP": "station, couponctl",
        // coupon-station
        "COUPON_STATION_SHOP": "station", "COUPON_STATION_NAME": "station", "COUPON_STATION_WIDTH": "station",
        "COUPON_STATION_JOURNAL": "station", "COUPON_STATION_ENCODING": "station",
        "COUPON_STATION_PRINTER_QR": "station", "COUPON_STATION_TIME_ZONE": "station",
        "COUPON_STATION_PRINTER": "station",
    ]

    /// The values of a settings file's text, with the environment's `COUPON_*` variables over them.
    /// - Throws: the text of the first line that is not `KEY=VALUE`.
    public static func merge(file text: String?, source: String, environment: [String: String]) throws(SettingsError)
        -> [String: String]
    {
        var values: [String: String] = [:]
        for line in (text ?? "").split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmed
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map(\.trimmed)
            guard parts.count == 2, !parts[0].isEmpty else { throw SettingsError(source: source, line: String(line)) }
            guard keys[parts[0]] != nil else {
                throw SettingsError(source: source, line: String(line), unknownKey: parts[0])
            }
            values[parts[0]] = parts[1]
        }
        for (name, value) in environment where name.hasPrefix("COUPON_") { values[name] = value }
        return values
    }

    /// The settings file at `path` (when there is one) under the environment: what each program's
    /// `--config` means. `read` fetches a file's text, nil when it cannot.
    public static func load(
        path: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        read: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }
    )
        throws(SettingsError) -> [String: String]
    {
        guard let path else { return try merge(file: nil, source: "", environment: environment) }
        guard let text = read(path) else { throw SettingsError(source: path, line: nil) }
        return try merge(file: text, source: path, environment: environment)
    }
}

/// A settings file that cannot be read, or a line of it that is not `KEY=VALUE`.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public var source: String
    /// The offending line; nil when the file itself could not be read.
    public var line: String?
    /// A key no program reads (a typo, say).
    public var unknownKey: String? = nil

    public var description: String {
        guard let line else { return "cannot read the configuration file \(source)" }
        if let unknownKey { return "\(source): no program reads \(unknownKey) (see docs/operations.md for the keys)" }
        return "\(source): '\(line)' is not KEY=VALUE"
    }
}

extension StringProtocol {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
