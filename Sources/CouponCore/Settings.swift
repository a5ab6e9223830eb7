/// The three programs' settings: a file of `KEY=VALUE` lines (`#` comments), then the `COUPON_*`
/// environment on top; the caller applies its flags last.
public enum Settings {
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
            values[parts[0]] = parts[1]
        }
        for (name, value) in environment where name.hasPrefix("COUPON_") { values[name] = value }
        return values
    }

    /// The settings file at `path` (when there is one) under the environment: what each program's
    /// `--config` means. `read` fetches a file's text, nil when it cannot (this module does no I/O).
    public static func load(path: String?, environment: [String: String], read: (String) -> String?)
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
    public var description: String {
        guard let line else { return "cannot read the configuration file \(source)" }
        return "\(source): '\(line)' is not KEY=VALUE"
    }
}
