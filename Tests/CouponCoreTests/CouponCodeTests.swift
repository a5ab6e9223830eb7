import CouponCore
import Testing

@Suite("Coupon codes: bearer secrets with a check character")
struct CouponCodeTests {
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    @Test func generatedCodesParseBackInEveryForm() throws {
        for _ in 0..<200 {
            let code = CouponCode.generate()
            #expect(code.value.count == 23)
            #expect(try CouponCode(parsing: code.value) == code)
            #expect(try CouponCode(parsing: code.grouped) == code)
            #expect(try CouponCode(parsing: code.grouped.lowercased()) == code)
            #expect(try CouponCode(parsing: String(code.value.map { $0 == "0" ? "o" : $0 })) == code)
            #expect(!code.description.contains(code.value.prefix(8)))
            #expect(code.description.hasSuffix(code.lastFour))
        }
    }

    @Test func everySingleMistypeAndNeighbourSwapIsCaught() throws {
        var generator = Seeded(state: 42)
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        for _ in 0..<20 {
            let code = Array(CouponCode.generate(using: &generator).value)
            for i in 0..<code.count {
                for replacement in alphabet where replacement != code[i] {
                    var typo = code
                    typo[i] = replacement
                    #expect(throws: CouponCodeError.badCheckCharacter) { try CouponCode(parsing: String(typo)) }
                }
                // Luhn mod 32 cannot see a swap of 0 and Z (values 0 and 31), as Luhn mod 10 misses 09/90.
                if i + 1 < code.count, code[i] != code[i + 1], Set([code[i], code[i + 1]]) != ["0", "Z"] {
                    var swapped = code
                    swapped.swapAt(i, i + 1)
                    #expect(throws: CouponCodeError.badCheckCharacter) { try CouponCode(parsing: String(swapped)) }
                }
            }
        }
    }

    @Test func theOneSwapLuhnCannotSee() throws {
        let code = CouponCode.generate()
        #expect(code.value.count == 23)
        // Documented limit: 0Z and Z0 weigh the same.
        var body = Array("0Z" + String(repeating: "1", count: 20))
        let check = (0..<32).map { i in String(body) + String(Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")[i]) }
            .first { (try? CouponCode(parsing: $0)) != nil }
        let valid = try #require(check)
        body.swapAt(0, 1)
        #expect((try? CouponCode(parsing: String(body) + String(valid.last!))) != nil)
    }

    @Test func malformedCodes() {
        #expect(throws: CouponCodeError.wrongLength(3)) { try CouponCode(parsing: "ABC") }
        #expect(throws: CouponCodeError.invalidCharacter) { try CouponCode(parsing: "K7QF-2M9X-4HWD-PR3A-V8EN-TX1C-U") }
        #expect(throws: CouponCodeError.invalidCharacter) { try CouponCode(parsing: "K7QF/2M9X") }
    }

    @Test func codesAreRandomEnough() {
        let codes = Set((0..<5000).map { _ in CouponCode.generate().value })
        #expect(codes.count == 5000)
    }

    @Test("part of a code is read as a whole one is: case, dashes, spaces, O and I/L")
    func cleanedPart() {
        #expect(CouponCode.cleaned("v8en-tx7") == "V8ENTX7")
        #expect(CouponCode.cleaned(" o-il 9 ") == "0119")
        #expect(CouponCode.cleaned("") == "")
    }

    @Test func qrPayloadCarriesTheCodeInTheFragment() throws {
        let code = CouponCode.generate()
        let link = QRPayload.link(baseURL: "https://cpn.example/", code: code)
        #expect(link == "https://cpn.example/c#" + code.grouped)
        #expect(try QRPayload.code(from: link) == code)
        #expect(try QRPayload.code(from: code.value) == code)
        #expect(throws: CouponCodeError.self) { try QRPayload.code(from: "https://cpn.example/c#NOPE") }
    }
}

@Suite("Examples in help and docs are real codes")
struct CodeExampleTests {
    @Test("the example code of couponctl balance --help and CouponCode's docs parses")
    func example() throws {
        let code = try CouponCode(parsing: "K7QF-2M9X-4HWD-PR3A-V8EN-TX7")
        #expect(code.grouped == "K7QF-2M9X-4HWD-PR3A-V8EN-TX7")
    }
}
