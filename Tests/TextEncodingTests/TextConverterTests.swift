import Testing
import TextEncoding

@Suite("TextConverter: iconv with every result checked")
struct TextConverterTests {
    @Test("converts, grows its output past the first guess, resets between uses")
    func converts() throws {
        let toGB = try TextConverter(from: "UTF-8", to: "GB18030")
        #expect(try toGB.convert(Array("蛋糕".utf8)) == [0xB5, 0xB0, 0xB8, 0xE2])
        try toGB.reset()
        let long = String(repeating: "蛋", count: 5000)
        #expect(try toGB.convert(Array(long.utf8)).count == 10000)
        // Latin-1 bytes to UTF-8 take more room than the input's four times guess never needs,
        // but one byte to three does (a BOM-free UTF-16 to UTF-8 of CJK): use a wide case.
        let fromUTF16 = try TextConverter(from: "UTF-16LE", to: "UTF-8")
        let utf16 = Array("蛋糕".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(try fromUTF16.convert(utf16) == Array("蛋糕".utf8))
    }

    @Test("invalid input and unknown charsets are typed errors")
    func failures() throws {
        let fromSJIS = try TextConverter(from: "SHIFT_JIS", to: "UTF-8")
        #expect(throws: TextConverterError.invalid(from: "SHIFT_JIS", to: "UTF-8")) {
            try fromSJIS.convert([0x82])  // a lead byte with nothing after it
        }
        let toCP437 = try TextConverter(from: "UTF-8", to: "CP437")
        #expect(throws: TextConverterError.invalid(from: "UTF-8", to: "CP437")) {
            try toCP437.convert(Array("蛋".utf8))
        }
        #expect(throws: TextConverterError.self) { try TextConverter(from: "UTF-8", to: "NO-SUCH-CHARSET") }
    }
}
