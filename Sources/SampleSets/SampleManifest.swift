import Foundation
import Scanning

/// One photo of a sample set and what it shows.
public struct SampleEntry: Sendable {
    /// Absolute path of the image.
    public var path: String
    /// The path as written in the manifest, relative to the set's folder.
    public var name: String
    public var symbology: Symbology
    /// The expected text, normalised with ``SampleManifest/normalise(_:)``.
    public var expected: String
    /// `easy`, `medium` or `hard` where the set marks it.
    public var difficulty: String?
}

/// Why a sample set could not be loaded.
public struct SampleManifestError: Error, CustomStringConvertible {
    public let detail: String
    public var description: String { detail }
}

/// Reads a sample set's `MANIFEST.tsv`: path, symbology, expected-text file, then free columns
/// (the phone-screen set has difficulty fourth).
public enum SampleManifest {
    public static func load(directory: String) throws -> [SampleEntry] {
        let base = URL(fileURLWithPath: directory)
        let manifest = base.appendingPathComponent("MANIFEST.tsv")
        guard let text = try? String(contentsOf: manifest, encoding: .utf8) else {
            throw SampleManifestError(detail: "\(manifest.path): cannot read the sample manifest")
        }
        var entries: [SampleEntry] = []
        for (number, line) in text.split(whereSeparator: \.isNewline).enumerated() where number > 0 {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 3, let symbology = Symbology(name: columns[1]) else {
                throw SampleManifestError(detail: "\(manifest.path):\(number + 1): expected path, symbology, text file")
            }
            let expectedURL = base.appendingPathComponent(columns[2])
            guard let data = try? Data(contentsOf: expectedURL) else {
                throw SampleManifestError(detail: "\(expectedURL.path): cannot read the expected text")
            }
            let difficulty = columns.count >= 4 && ["easy", "medium", "hard"].contains(columns[3]) ? columns[3] : nil
            entries.append(
                SampleEntry(
                    path: base.appendingPathComponent(columns[0]).path, name: columns[0], symbology: symbology,
                    expected: normalise(String(decoding: data, as: UTF8.self)), difficulty: difficulty))
        }
        return entries
    }

    /// CRLF and CR become LF and trailing whitespace goes, as some upstream expected files keep
    /// their original line ends.
    public static func normalise(_ text: String) -> String {
        var s = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        while let last = s.unicodeScalars.last, CharacterSet.whitespacesAndNewlines.contains(last) {
            s.unicodeScalars.removeLast()
        }
        return s
    }
}
