/// What a coupon's QR code holds: `<public base URL>/c#<CODE>`.
///
/// The code sits in the URL fragment, which browsers never send to a server, so it stays out of
/// access logs; the balance page's script posts it to the lookup endpoint.
public enum QRPayload {
    /// The link for `code` under `baseURL` (`https://cpn.example`), grouped for readability.
    public static func link(baseURL: String, code: CouponCode) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/c#" + code.grouped
    }

    /// The link of a coupon that carries its balance on the phone: `<base>/c#<CODE>.<STATE>`
    /// (the signed state after the code, still in the fragment); without a state, ``link(baseURL:code:)``.
    /// The code is written without its dashes there: with a 40-character base URL the link is then
    /// one QR version smaller (9 instead of 10 at level M), so each module is larger on the screen.
    public static func link(baseURL: String, code: CouponCode, state: String?) -> String {
        guard let state else { return link(baseURL: baseURL, code: code) }
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/c#" + code.value + "." + state
    }

    /// The signed state in a scanned payload (after the code, past a `.`), or nil.
    public static func state(from payload: String) -> String? {
        var text = Substring(payload)
        if let hash = text.lastIndex(of: "#") { text = text[text.index(after: hash)...] }
        guard let dot = text.firstIndex(of: "."), text.index(after: dot) < text.endIndex else { return nil }
        return String(text[text.index(after: dot)...])
    }

    /// The code in a scanned payload: the fragment of a link, or a bare code. A coupon that
    /// carries its balance on the phone has `.STATE` (its signed state) after the code; the code
    /// is the part before it.
    /// - Throws: ``CouponCodeError`` when neither holds a valid code.
    public static func code(from payload: String) throws(CouponCodeError) -> CouponCode {
        var text = Substring(payload)
        if let hash = text.lastIndex(of: "#") { text = text[text.index(after: hash)...] }
        if let dot = text.firstIndex(of: ".") { text = text[..<dot] }
        return try CouponCode(parsing: String(text))
    }
}
