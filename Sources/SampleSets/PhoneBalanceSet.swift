import CouponCore
import Foundation
import Imaging
import QRRender
import SignedState

/// Phone-balance coupons photographed off phone screens: for each recipe of the phone-screen set
/// (its difficulty mix), a coupon's link with its code and signed state (`<base>/c#CODE.STATE`,
/// a 40-character base URL, level M as `couponctl issue` renders it) made into a photo to that
/// recipe. Deterministic: the same seed gives the same payloads and photos.
public enum PhoneBalanceSet {
    public struct Sample: Sendable {
        public var name: String
        /// The phone-screen photo whose recipe it follows.
        public var recipe: String
        public var difficulty: String
        public var payload: String
        public var photo: GreyImage
        public var quality: Int
        /// The QR's version.
        public var version: Int
    }

    /// A base URL of 40 characters, the longest the QR budget allows.
    public static let baseURL = "https://coupons.shop-provider.example.cn"

    /// `count` samples, cycling through `recipes`.
    public static func make(recipes: [ScreenRecipe], count: Int, seed: UInt64 = 17) throws -> [Sample] {
        try (0..<count).map { try sample(index: $0, recipes: recipes, seed: seed) }
    }

    /// The sample at `index`: its own generator, so any one can be made alone.
    public static func sample(index: Int, recipes: [ScreenRecipe], seed: UInt64 = 17) throws -> Sample {
        var keyRandom = SeededGenerator(seed: seed)
        let key = try SigningKey(privateKey: (0..<32).map { _ in UInt8.random(in: 0...255, using: &keyRandom) })
        var random = SeededGenerator(seed: seed &+ 0x1000 &* UInt64(index + 1))
        let recipe = recipes[index % recipes.count]
        let id = "cpn_" + (0..<16).map { _ in hex(UInt8.random(in: 0...255, using: &random)) }.joined()
        let balance = Int64.random(in: 0..<5_000_000, using: &random)
        let state = PhoneState(
            couponID: id, balance: Money(minorUnits: balance, currency: .cny),
            expiresAt: Bool.random(using: &random)
                ? Instant(secondsSince1970: 1_900_000_000 + Int64.random(in: 0..<10_000_000, using: &random)) : nil,
            sequence: UInt32.random(in: 1..<5000, using: &random),
            signedAt: Instant(secondsSince1970: 1_800_000_000 + Int64.random(in: 0..<10_000_000, using: &random)),
            keyID: key.id)
        let code = CouponCode.generate(using: &random)
        let payload = QRPayload.link(baseURL: baseURL, code: code, state: try StateToken.sign(state, with: key))
        let matrix = try QREncoder.encode(text: payload, level: .medium)
        let photo = recipe.photo(of: QRRenderer.image(matrix), modules: matrix.size, seed: UInt64(index) &+ seed)
        return Sample(
            name: String(format: "pb_%03d", index), recipe: recipe.name, difficulty: recipe.difficulty,
            payload: payload, photo: photo, quality: recipe.quality, version: matrix.version)
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

/// SplitMix64: a small deterministic generator for sample sets (never for codes or keys in use).
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
