/// Turns the codes seen frame by frame into items counted once per pass in front of the camera.
///
/// A code that stays in view counts once, until it has been out of view for more than `gapFrames`
/// (measured in stream frames, so in stream time); then it counts again: two identical items need
/// two passes. A 1-D code counts only when a second frame within the gap agrees (a misread rarely
/// repeats); a QR code, which carries its own error correction, counts at once. Several codes in
/// one frame each count.
public struct CodeTracker: Sendable {
    public struct Code: Hashable, Sendable {
        public var text: String
        public var isLinear: Bool

        public init(text: String, isLinear: Bool) {
            self.text = text
            self.isLinear = isLinear
        }
    }

    public let gapFrames: Int
    /// Counted codes still in view: the frame each was last seen in.
    private var visible: [Code: Int] = [:]
    /// 1-D codes seen once, waiting for a second frame: the frame each was last seen in.
    private var pending: [Code: Int] = [:]

    public init(gapFrames: Int) {
        self.gapFrames = max(1, gapFrames)
    }

    /// The gap in frames for `seconds` of stream time at `framesPerSecond`.
    public init(gapSeconds: Double, framesPerSecond: Double) {
        self.init(gapFrames: Int((gapSeconds * framesPerSecond).rounded(.up)))
    }

    /// The codes of frame `frame` that count now, in the order given.
    public mutating func observe(frame: Int, codes: [Code]) -> [Code] {
        var counted: [Code] = []
        var seen: Set<Code> = []
        for code in codes where seen.insert(code).inserted {
            if let last = visible[code], frame - last <= gapFrames {
                visible[code] = frame
                continue
            }
            if code.isLinear {
                if let last = pending[code], frame - last <= gapFrames, frame != last {
                    pending[code] = nil
                    visible[code] = frame
                    counted.append(code)
                } else {
                    pending[code] = frame
                }
            } else {
                visible[code] = frame
                counted.append(code)
            }
        }
        visible = visible.filter { frame - $0.value <= gapFrames }
        pending = pending.filter { frame - $0.value <= gapFrames }
        return counted
    }
}
