import CouponCore
import Testing

@testable import Station

@Suite("The till's logic: counting codes across frames, and the basket session")
struct TillLogicTests {
    static let cake = CodeTracker.Code(text: "8413000065504", isLinear: true)
    static let coupon = CodeTracker.Code(text: "https://cpn.example/c#X", isLinear: false)

    @Test("a code in view counts once; after the gap it counts again; 1-D needs two frames")
    func tracker() {
        var tracker = CodeTracker(gapFrames: 5)
        var counted: [String] = []
        // Frames 0-19 show the cake (missing in a few frames), 20-29 nothing, 30-39 the cake again.
        for frame in 0..<40 {
            let inView = (frame < 20 && frame % 7 != 3) || frame >= 30
            counted += tracker.observe(frame: frame, codes: inView ? [Self.cake] : []).map(\.text)
        }
        #expect(counted == [Self.cake.text, Self.cake.text])

        // A 1-D read in one frame only (a misread) never counts; a QR counts at once.
        var fresh = CodeTracker(gapFrames: 5)
        #expect(fresh.observe(frame: 0, codes: [Self.cake, Self.coupon]) == [Self.coupon])
        #expect(fresh.observe(frame: 10, codes: [Self.cake]).isEmpty)
        #expect(fresh.observe(frame: 12, codes: [Self.cake]) == [Self.cake])
        // Several codes in one frame each count.
        let other = CodeTracker.Code(text: "8480000823274", isLinear: true)
        var both = CodeTracker(gapFrames: 3)
        _ = both.observe(frame: 0, codes: [Self.cake, other])
        #expect(Set(both.observe(frame: 1, codes: [other, Self.cake])) == [Self.cake, other])
        // The gap in stream time: 0.5 s at 30 frames/s.
        #expect(CodeTracker(gapSeconds: 0.5, framesPerSecond: 30).gapFrames == 15)
    }

    @Test("the session merges, takes back the last scan, sets quantities, settles on a coupon")
    func session() throws {
        var session = CheckoutSession()
        let code = CouponCode.generate()
        #expect(session.handle(code.grouped) == .error("scan the products before the coupon"))
        #expect(session.handle("]E08413000065504") == .added(BasketLine(code: "8413000065504", quantity: 1)))
        #expect(session.handle("*3") == .quantity(3))
        #expect(session.handle("8480000823274") == .added(BasketLine(code: "8480000823274", quantity: 3)))
        #expect(session.handle("8413000065504") == .added(BasketLine(code: "8413000065504", quantity: 1)))
        #expect(session.handle("undo") == .removed(BasketLine(code: "8413000065504", quantity: 1)))
        #expect(session.handle("qty 1000") == .error("a quantity is 1 to 999, not '1000'"))
        #expect(session.handle("") == .ignored)
        let expected = [BasketLine(code: "8413000065504", quantity: 1), BasketLine(code: "8480000823274", quantity: 3)]
        #expect(session.handle("]Q1https://cpn.example/c#" + code.grouped) == .settle(code: code, items: expected))
        #expect(session.handle("https://elsewhere.example/x") == .error("this QR is not a coupon of this provider"))
        #expect(session.handle("cancel") == .cancelled)
        #expect(session.lines.isEmpty)
    }

    @Test("the session merges the UPC-A and EAN-13 forms of one product into one line, capped together")
    func oneProductTwoSpellings() {
        var session = CheckoutSession()
        _ = session.handle("*600")
        #expect(session.handle("036000291452") == .added(BasketLine(code: "036000291452", quantity: 600)))
        _ = session.handle("*300")
        _ = session.handle("0036000291452")
        #expect(session.lines == [BasketLine(code: "036000291452", quantity: 900)])
        _ = session.handle("*100")
        guard case .error(let message) = session.handle("0036000291452") else {
            Issue.record("1,000 of one product were accepted in two spellings")
            return
        }
        #expect(message.contains("1 to 999"))
        #expect(session.lines == [BasketLine(code: "036000291452", quantity: 900)])
    }
}
