import CouponCore
import Crypto
import Foundation

/// Read-only balance links for receipts: `<base>/b/<settlement id>.<mac>`. The MAC (HMAC-SHA256
/// with a server secret, truncated to 128 bits) makes the token unguessable; it names a settlement,
/// never a coupon code, so it can show a balance but never pay.
public struct BalanceLinks: Sendable {
    private let secret: [UInt8]
    private let baseURL: String

    public init(secret: [UInt8], baseURL: String) {
        self.secret = secret
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }

    /// The token of a settlement.
    func token(settlementID: String) -> String {
        settlementID + "." + mac(settlementID)
    }

    /// The link printed on a settlement's receipt.
    func link(settlementID: String) -> String {
        baseURL + "/b/" + token(settlementID: settlementID)
    }

    /// The settlement a token names, or nil when the token is not one of ours.
    func settlementID(fromToken token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 64, parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" })
        else { return nil }
        let id = String(parts[0])
        let expected = Array(mac(id).utf8)
        let given = Array(parts[1].utf8)
        guard expected.count == given.count else { return nil }
        // Constant-time comparison.
        var difference: UInt8 = 0
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        return difference == 0 ? id : nil
    }

    private func mac(_ id: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Data(("balance-view:" + id).utf8), using: SymmetricKey(data: secret))
        return code.prefix(16).hex
    }
}
