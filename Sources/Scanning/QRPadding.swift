/// The data codewords a QR encoder must write after the message (ISO/IEC 18004, 7.4.9-7.4.10):
/// a terminator of up to four zero bits, zero bits to the next codeword, then the pad codewords
/// 0xEC and 0x11 in turn to the end of the data capacity.
///
/// Short payloads in a generous symbol (a 21-character coupon id in a version 2-M symbol) leave
/// a third of the data codewords as padding. Once the segment headers say where the message
/// ends, those codewords are known without looking at the modules, and an erasure decoder needs
/// its parity only for the rest. ``QRRepair`` uses this when glare leaves a block unreadable.
enum QRPadding {
    /// For each place the message may end, the values of the data codewords after it, keyed by
    /// their index in the data stream (all blocks' data codewords, block by block); the last
    /// `limit` endings, latest first.
    ///
    /// The segment headers are read from `data` as sampled. A message may end after any segment
    /// they describe: the terminator's own bits may be among the damaged ones, and then the
    /// damaged bits after the message read as a segment or two more. Each ending is a hypothesis
    /// for the caller's spare parity to confirm or refuse. None when the headers do not describe
    /// a segment that fits, or no whole codeword is left after it.
    static func candidates(data: [UInt8], version: Int, limit: Int = 3) -> [[Int: UInt8]] {
        let capacity = data.count * 8
        return segmentEnds(data: data, version: version).suffix(limit).reversed().compactMap { end in
            guard end < capacity else { return nil }
            var known: [Int: UInt8] = [:]
            // The terminator's bits and the zero bits after it, to the codeword boundary.
            let terminatorEnd = min(end + 4, capacity)
            let padStart = (terminatorEnd + 7) / 8
            for index in ((end + 7) / 8)..<padStart { known[index] = 0 }
            for index in padStart..<data.count { known[index] = (index - padStart) % 2 == 0 ? 0xEC : 0x11 }
            return known.isEmpty ? nil : known
        }
    }

    /// The bit positions where the segments read from `data` end, in order, up to a terminator,
    /// the end of the data, or a header that names no mode a message may hold or runs past the end.
    static func segmentEnds(data: [UInt8], version: Int) -> [Int] {
        var reader = BitReader(bytes: data)
        let sizeClass = version <= 9 ? 0 : version <= 26 ? 1 : 2
        var ends: [Int] = []
        while reader.remaining >= 4, let mode = reader.read(4) {
            let bits: Int?
            switch mode {
            case 0b0001:
                bits = reader.read([10, 12, 14][sizeClass]).map { 10 * ($0 / 3) + [0, 4, 7][$0 % 3] }
            case 0b0010:
                bits = reader.read([9, 11, 13][sizeClass]).map { 11 * ($0 / 2) + 6 * ($0 % 2) }
            case 0b0100:
                bits = reader.read([8, 16, 16][sizeClass]).map { 8 * $0 }
            case 0b1000:
                bits = reader.read([8, 10, 12][sizeClass]).map { 13 * $0 }
            case 0b0111:
                // ECI: a designator of one, two or three bytes, told by its leading bits.
                bits = reader.read(8).flatMap { first in
                    first & 0x80 == 0 ? 0 : first & 0xC0 == 0x80 ? 8 : first & 0xE0 == 0xC0 ? 16 : nil
                }
            case 0b0101: bits = 0  // FNC1 in first position (GS1)
            case 0b1001: bits = 8  // FNC1 in second position: the application indicator
            case 0b0011: bits = 16  // structured append: position, total and parity
            default:
                // The terminator, or a reserved mode: a damaged header reads as one as often as
                // not. Either ends the walk; the endings found so far are the candidates.
                bits = nil
            }
            guard let bits, reader.skip(bits) else { break }
            // Only a segment with characters can be the last before the terminator.
            if [0b0001, 0b0010, 0b0100, 0b1000].contains(mode) { ends.append(reader.position) }
        }
        return ends
    }

    /// Reads bits most significant first.
    struct BitReader {
        let bytes: [UInt8]
        var position = 0

        var remaining: Int { bytes.count * 8 - position }

        mutating func read(_ count: Int) -> Int? {
            guard count <= remaining else { return nil }
            var value = 0
            for _ in 0..<count {
                let bit = bytes[position / 8] >> UInt8(7 - position % 8) & 1
                value = value << 1 | Int(bit)
                position += 1
            }
            return value
        }

        mutating func skip(_ count: Int) -> Bool {
            guard count <= remaining else { return false }
            position += count
            return true
        }
    }
}
