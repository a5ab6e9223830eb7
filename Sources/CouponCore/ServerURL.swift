/// The rule for a provider URL given to a station or to couponctl: `https://` always, plain
/// `http://` only to this machine (loopback) unless the operator says `--allow-http`, since a
/// station sends its key and coupon codes in every request.
///
/// ```swift
/// try ServerURL.check("https://cpn.example/")           // "https://cpn.example"
/// try ServerURL.check("http://10.0.0.5:8080")           // throws: plain HTTP off this machine
/// try ServerURL.check("http://127.0.0.1:8080")          // allowed
/// ```
public enum ServerURL {
    /// `url` without a trailing slash, when it may be used.
    /// - Throws: ``ServerURLError``.
    public static func check(_ url: String, allowHTTP: Bool = false) throws(ServerURLError) -> String {
        let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
        if trimmed.hasPrefix("https://") { return trimmed }
        guard trimmed.hasPrefix("http://") else { throw .scheme(url) }
        if allowHTTP || isLoopback(host(of: trimmed)) { return trimmed }
        throw .plainHTTP(url)
    }

    /// The host part of `http://HOST[:PORT][/...]`, brackets kept off IPv6 literals.
    static func host(of url: String) -> String {
        let rest = url.drop { $0 != "/" }.dropFirst(2)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let afterUser = authority.split(separator: "@").last.map(String.init) ?? ""
        if afterUser.hasPrefix("[") { return String(afterUser.dropFirst().prefix { $0 != "]" }) }
        return String(afterUser.prefix { $0 != ":" })
    }

    static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        return lower == "localhost" || lower == "::1" || lower.hasPrefix("127.")
    }
}

/// A provider URL that may not be used.
public enum ServerURLError: Error, Sendable, Equatable, CustomStringConvertible {
    case scheme(String)
    case plainHTTP(String)

    public var description: String {
        switch self {
        case .scheme(let url): "the server URL must start with https:// (or http:// on this machine), not '\(url)'"
        case .plainHTTP(let url):
            "refusing plain HTTP to \(url): keys and coupon codes would cross the network unencrypted; "
                + "use https://, or --allow-http on a network you trust"
        }
    }
}
