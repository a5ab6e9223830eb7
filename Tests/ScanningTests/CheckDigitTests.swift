import GS1
import Scanning
import Testing

@Suite("GS1 check digits and payload text")
struct CheckDigitTests {
    @Test func validCodes() {
        for code in ["6901234567892", "4006381333931", "036000291452", "12345670", "96385074"] {
            #expect(GS1Check.isValid(code), "\(code)")
        }
    }

    @Test func oneWrongDigitIsCaught() {
        let good = Array("6901234567892")
        for i in 0..<good.count {
            var bad = good
            bad[i] = Character(String((good[i].wholeNumberValue! + 1) % 10))
            #expect(!GS1Check.isValid(String(bad)))
        }
        #expect(!GS1Check.isValid("69012345678x2"))
    }

    @Test func upceExpansion() {
        #expect(GS1Check.expandUPCE("01234565") == "012345000065")
        #expect(GS1Check.expandUPCE("01234531") == "012300000451")
        #expect(GS1Check.expandUPCE("05096893").map(GS1Check.isValid) == true)
        #expect(GS1Check.expandUPCE("21234565") == nil)
    }

    @Test func textFallbacks() {
        #expect(PayloadText.decode(Array("héllo".utf8)) == "héllo")
        // Half-width katakana "ﾃﾞｻﾞｲﾝ" in Shift_JIS, as zxing's sample qrcode-2/17 holds it.
        #expect(PayloadText.decode([0xC3, 0xDE, 0xBB, 0xDE, 0xB2, 0xDD, 0x51, 0x52]) == "ﾃﾞｻﾞｲﾝQR")
        // "日本" in Shift_JIS.
        #expect(PayloadText.decode([0x93, 0xFA, 0x96, 0x7B]) == "日本")
        // Latin-1 "café" is not valid UTF-8 nor Shift_JIS.
        #expect(PayloadText.decode([0x63, 0x61, 0x66, 0xE9]) == "café")
    }

    @Test func symbologyNames() {
        #expect(Symbology(name: "QRCODE") == .qr)
        #expect(Symbology(name: "QR_CODE") == .qr)
        #expect(Symbology(name: "ean-13") == .ean13)
        #expect(Symbology(name: "UPC_E") == .upce)
        #expect(Symbology(name: "I25") == nil)
    }
}
