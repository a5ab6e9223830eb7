import Scanning

/// How one decoder did on one photo.
public enum SampleOutcome: Sendable, Equatable {
    /// The expected text was among the symbols returned.
    case correct
    /// Nothing was returned.
    case missed
}

/// Scores a decoder's output against a sample: whether the expected text was read, and every
/// returned symbol whose text is not the expected one (a wrong read, or a second real code in view).
public struct SampleScore: Sendable {
    public var outcome: SampleOutcome
    public var wrong: [DecodedSymbol]

    public init(entry: SampleEntry, symbols: [DecodedSymbol]) {
        let read = symbols.map { (symbol: $0, text: SampleManifest.normalise($0.text)) }
        outcome = read.contains { $0.text == entry.expected } ? .correct : .missed
        wrong = read.filter { $0.text != entry.expected }.map(\.symbol)
    }
}
