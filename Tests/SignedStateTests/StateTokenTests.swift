import CouponCore
import Imaging
import QRRender
import Scanning
import Testing

@testable import SignedState

/// The signed coupon state of the patent's first embodiment: its text form, its signature, the
/// key ring's rotation, and its fit in a phone's QR.
@Suite("Signed coupon states: format, signature, key rotation, QR size")
struct StateTokenTests {
    static func state(keyID: String, balance: Int64 = 20000, sequence: UInt32 = 3) -> PhoneState {
        PhoneState(
            couponID: "cpn_9f0c3e1a7b2d4c6e8f10a2b4c6d8e0f1", balance: Money(minorUnits: balance, currency: .cny),
            expiresAt: Instant(secondsSince1970: 1_830_000_000), sequence: sequence,
            signedAt: Instant(secondsSince1970: 1_800_000_000), keyID: keyID)
    }

    @Test("a state round-trips through its 173 characters, every one in the QR alphanumeric set")
    func roundTrip() throws {
        let ring = KeyRing.generate()
        let key = try #require(ring.active)
        let state = Self.state(keyID: key.id)
        let text = try StateToken.sign(state, with: key)
        #expect(text.count == 173)
        #expect(text.allSatisfy { "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".contains($0) })
        #expect(try StateToken.verify(text, keys: ring) == state)
        #expect(try StateToken.verify(text.lowercased(), keys: ring) == state)
        var none = state
        none.expiresAt = nil
        #expect(try StateToken.verify(try StateToken.sign(none, with: key), keys: ring) == none)
        // A till holds only the public keys, and verifies the same.
        let till = try KeyRing(publicKeys: ring.entries.map { ($0.id, $0.publicKeyBase64, $0.status) })
        #expect(try StateToken.verify(text, keys: till) == state)
        #expect(till.active == nil)
    }

    @Test("1,000 random bit flips and forged signatures are never accepted")
    func tampering() throws {
        let ring = KeyRing.generate()
        let key = try #require(ring.active)
        let text = try StateToken.sign(Self.state(keyID: key.id), with: key)
        let bytes = try #require(Base32.decode(text))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            var changed = bytes
            let bit = Int.random(in: 0..<(bytes.count * 8), using: &generator)
            changed[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(throws: PhoneStateError.self) { try StateToken.verify(Base32.encode(changed), keys: ring) }
        }
        // The balance changed, the signature kept: the tampered QR of the acceptance story.
        var richer = bytes
        richer[28] &+= 1
        #expect(throws: PhoneStateError.badSignature) { try StateToken.verify(Base32.encode(richer), keys: ring) }
        // Signed by a key of another provider that takes this one's id: refused.
        let other = KeyRing.generate()
        let forged = try StateToken.sign(Self.state(keyID: try #require(other.active).id), with: other.active!)
        #expect(throws: PhoneStateError.unknownKey(other.active!.id)) { try StateToken.verify(forged, keys: ring) }
        var body = Array(try #require(Base32.decode(forged)))
        body.replaceSubrange(1..<5, with: Array(bytes[1..<5]))
        #expect(throws: PhoneStateError.badSignature) { try StateToken.verify(Base32.encode(body), keys: ring) }
        for bad in ["", "0189", String(text.dropLast()), text + "A", "!" + text.dropFirst()] {
            #expect(throws: PhoneStateError.self) { try StateToken.verify(bad, keys: ring) }
        }
    }

    @Test("rotation: the previous key's states verify until it is retired, then they are refused")
    func rotation() throws {
        var ring = KeyRing.generate()
        let first = try #require(ring.active)
        let old = try StateToken.sign(Self.state(keyID: first.id), with: first)
        let second = ring.rotate()
        #expect(ring.active?.id == second && second != first.id)
        #expect(ring.entry(first.id)?.status == .valid)
        #expect(try StateToken.verify(old, keys: ring).keyID == first.id)
        #expect(throws: KeyRingError.activeKey(second)) { try ring.retire(second) }
        try ring.retire(first.id)
        #expect(throws: PhoneStateError.retiredKey(first.id)) { try StateToken.verify(old, keys: ring) }
        let new = try StateToken.sign(Self.state(keyID: second), with: ring.active!)
        #expect(try StateToken.verify(new, keys: ring).keyID == second)
        // The data folder's file keeps all of it; a file with no active key, or a wrong id, is refused.
        let reread = try KeyRing(fileText: ring.fileText)
        #expect(reread.entries.map(\.id) == ring.entries.map(\.id))
        #expect(reread.entries.map(\.status) == [.retired, .active])
        #expect(throws: PhoneStateError.retiredKey(first.id)) { try StateToken.verify(old, keys: reread) }
        #expect(throws: KeyRingError.self) {
            try KeyRing(fileText: ring.fileText.replacingOccurrences(of: " active ", with: " valid "))
        }
        #expect(throws: KeyRingError.self) {
            try KeyRing(fileText: ring.fileText.replacingOccurrences(of: second, with: "00000000"))
        }
    }

    @Test(
        "with a 40-character base URL the link with code and state fits a version-10 QR at level M, and zbar reads it back"
    )
    func fitsTheQR() throws {
        let ring = KeyRing.generate()
        let key = try #require(ring.active)
        let base = "https://coupons.sweet-bakery-shanghai.cn"
        #expect(base.count == 40)
        let code = CouponCode.generate()
        let state = try StateToken.sign(Self.state(keyID: key.id, balance: 999_999_999, sequence: .max), with: key)
        let link = QRPayload.link(baseURL: base, code: code) + String(StateToken.separator) + state
        let matrix = try QREncoder.encode(text: link, level: .medium)
        #expect(matrix.version <= 10, "version \(matrix.version)")
        // The scanned text gives back both parts: the code as before, the state that verifies.
        let symbols = try DecodePipeline(symbologies: [.qr]).decode(
            QRRenderer.image(matrix, style: QRStyle(moduleSize: 4))
        ).symbols
        let text = try #require(symbols.first?.text)
        #expect(text == link)
        let parts = StateToken.split(text)
        #expect(try CouponCode(parsing: parts.code) == code)
        #expect(try StateToken.verify(try #require(parts.state), keys: ring).sequence == .max)
    }
}
