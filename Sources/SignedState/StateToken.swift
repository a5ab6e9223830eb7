import CouponCore
import Crypto

/// The binary form of a ``PhoneState`` and its signature, as text for the QR link: base32 of
///
///     version 1 | key id 4 | coupon id 16 | balance 8 | currency 3 | expiry 4 | sequence 4 | signed at 4
///
/// (big-endian; 44 bytes; an expiry of 0 is none), then the 64-byte Ed25519 signature over those
/// 44 bytes: 108 bytes, 173 characters. The link is `<base>/c#<CODE>.<STATE>`: the code stays after
/// `#`, where no server sees it.
public enum StateToken {
    static let version: UInt8 = 1
    static let bodySize = 44
    static let signatureSize = 64
    /// The separator between the code and the state in a link's fragment.
    public static let separator: Character = "."

    /// The signed text of `state` under `key` (whose id the state must carry).
    public static func sign(_ state: PhoneState, with key: SigningKey) throws(PhoneStateError) -> String {
        guard state.keyID == key.id else { throw .unencodable("the state names key \(state.keyID), not \(key.id)") }
        let body = try encode(state)
        return Base32.encode(body + key.signature(for: body))
    }

    /// The state in `text`, its signature checked against `keys`.
    public static func verify(_ text: String, keys: KeyRing) throws(PhoneStateError) -> PhoneState {
        guard let bytes = Base32.decode(text) else { throw .malformed("not base32") }
        guard bytes.count == bodySize + signatureSize else { throw .malformed("\(bytes.count) bytes") }
        let body = Array(bytes[..<bodySize]), signature = Array(bytes[bodySize...])
        guard body[0] == version else { throw .malformed("version \(body[0])") }
        let keyID = hex(body[1..<5])
        guard let entry = keys.entry(keyID) else { throw .unknownKey(keyID) }
        guard entry.status != .retired else { throw .retiredKey(keyID) }
        guard entry.isValidSignature(signature, for: body) else { throw .badSignature }
        return try decode(body)
    }

    /// The state of `text` without any check: for showing what a refused state claims.
    public static func unverified(_ text: String) throws(PhoneStateError) -> PhoneState {
        guard let bytes = Base32.decode(text), bytes.count == bodySize + signatureSize else {
            throw .malformed("not a state")
        }
        return try decode(Array(bytes[..<bodySize]))
    }

    /// The code and the state of a scanned link's fragment (`CODE.STATE`), or the code alone.
    public static func split(_ payload: String) -> (code: String, state: String?) {
        let fragment = payload.lastIndex(of: "#").map { String(payload[payload.index(after: $0)...]) } ?? payload
        guard let dot = fragment.firstIndex(of: separator) else { return (fragment, nil) }
        return (String(fragment[..<dot]), String(fragment[fragment.index(after: dot)...]))
    }

    static func encode(_ state: PhoneState) throws(PhoneStateError) -> [UInt8] {
        guard state.couponID.hasPrefix("cpn_"), let id = bytes(hex: String(state.couponID.dropFirst(4))), id.count == 16
        else { throw .unencodable("coupon id \(state.couponID) is not cpn_ and 32 hex digits") }
        guard state.balance.minorUnits >= 0 else { throw .unencodable("a negative balance") }
        guard let keyID = bytes(hex: state.keyID), keyID.count == 4 else { throw .unencodable("key id \(state.keyID)") }
        let currency = Array(state.balance.currency.code.utf8)
        guard currency.count == 3 else { throw .unencodable("currency \(state.balance.currency.code)") }
        func seconds(_ instant: Instant?) throws(PhoneStateError) -> UInt32 {
            guard let instant else { return 0 }
            guard let value = UInt32(exactly: instant.secondsSince1970), value > 0 else {
                throw .unencodable("a time outside 1970-2106")
            }
            return value
        }
        var out: [UInt8] = [version] + keyID + id
        out += bigEndian(UInt64(state.balance.minorUnits), 8) + currency
        out += bigEndian(UInt64(try seconds(state.expiresAt)), 4) + bigEndian(UInt64(state.sequence), 4)
        out += bigEndian(UInt64(try seconds(state.signedAt)), 4)
        return out
    }

    static func decode(_ body: [UInt8]) throws(PhoneStateError) -> PhoneState {
        func number(_ range: Range<Int>) -> UInt64 { body[range].reduce(0) { $0 << 8 | UInt64($1) } }
        let balance = number(21..<29)
        guard balance <= UInt64(Int64.max) else { throw .malformed("balance out of range") }
        let currency: Currency
        do { currency = try Currency(code: String(decoding: body[29..<32], as: UTF8.self)) } catch {
            throw .malformed("currency")
        }
        let expiry = number(32..<36)
        return PhoneState(
            couponID: "cpn_" + hex(body[5..<21]), balance: Money(minorUnits: Int64(balance), currency: currency),
            expiresAt: expiry == 0 ? nil : Instant(secondsSince1970: Int64(expiry)), sequence: UInt32(number(36..<40)),
            signedAt: Instant(secondsSince1970: Int64(number(40..<44))), keyID: hex(body[1..<5]))
    }

    static func bigEndian(_ value: UInt64, _ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64(count - 1 - $0))) }
    }

    static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            default: nil
            }
        }
        var out: [UInt8] = []
        for i in stride(from: 0, to: digits.count, by: 2) {
            guard let high = value(digits[i]), let low = value(digits[i + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }
}
