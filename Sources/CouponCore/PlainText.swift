/// The one rule for a name, campaign, reference or reason that is stored and later printed (on a
/// receipt, in a log line, in a CSV export): trimmed, within a length, on one line, and free of
/// control and format characters (NUL, line breaks, tabs, escapes, bidirectional overrides).
///
/// ```swift
/// try PlainText.check("  Cake  ", field: "name", maxLength: 200)   // "Cake"
/// try PlainText.check("a\u{0}b", field: "name", maxLength: 200)     // throws
/// ```
public enum PlainText {
    /// `text` trimmed of surrounding spaces, when it holds 1 to `maxLength` characters and no
    /// control or format character.
    /// - Throws: ``PlainTextError`` naming the field and what is wrong.
    public static func check(_ text: String, field: String, maxLength: Int) throws(PlainTextError) -> String {
        let trimmed = text.trimmingWhitespace
        guard !trimmed.isEmpty else { throw PlainTextError(field: field, problem: "is empty") }
        guard trimmed.count <= maxLength else {
            throw PlainTextError(field: field, problem: "is longer than \(maxLength) characters")
        }
        if let bad = trimmed.unicodeScalars.first(where: isForbidden) {
            let hex = String(bad.value, radix: 16, uppercase: true)
            let padded = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            throw PlainTextError(field: field, problem: "holds the control character U+\(padded)")
        }
        return trimmed
    }

    /// Control (Cc), format (Cf), line and paragraph separators, and unassigned or private scalars.
    public static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: true
        default: false
        }
    }
}

/// A string refused by ``PlainText``.
public struct PlainTextError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let problem: String

    public var description: String { "the \(field) \(problem); write it on one line without control characters" }
}
