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

    /// The code in a scanned payload: the fragment of a link, or a bare code.
    /// - Throws: ``CouponCodeError`` when neither holds a valid code.
    public static func code(from payload: String) throws(CouponCodeError) -> CouponCode {
        if let hash = payload.lastIndex(of: "#") {
            return try CouponCode(parsing: String(payload[payload.index(after: hash)...]))
        }
        return try CouponCode(parsing: payload)
    }
}
