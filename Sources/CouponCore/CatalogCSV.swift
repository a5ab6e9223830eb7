/// A product catalogue as CSV: `code,name,price,currency` per row, an optional header row, prices
/// in major units (`100.00`). Quoted fields (RFC 4180) may hold commas and doubled quotes.
public enum CatalogCSV {
    /// The products of `text`, or the first problem with its line number.
    public static func parse(_ text: String) throws(CatalogCSVError) -> [Product] {
        var products: [Product] = []
        var seen: Set<ProductCode> = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.trimmed.isEmpty { continue }
            let fields = try fields(of: line, line: number)
            if number == 1, fields.first?.lowercased() == "code" { continue }
            guard fields.count == 4 else {
                throw CatalogCSVError(
                    line: number, reason: "expected code,name,price,currency; found \(fields.count) fields")
            }
            do {
                let name = try PlainText.check(fields[1], field: "product name", maxLength: 200)
                let code = try ProductCode(fields[0].trimmed)
                let currency = try Currency(code: fields[3].trimmed.uppercased())
                let price = try Money(parsing: fields[2].trimmed, currency: currency)
                guard seen.insert(code).inserted else {
                    throw CatalogCSVError(line: number, reason: "product \(code) appears twice")
                }
                products.append(Product(code: code, name: name, price: price))
            } catch let error as CatalogCSVError {
                throw error
            } catch {
                throw CatalogCSVError(line: number, reason: "\(error)")
            }
        }
        return products
    }

    static func fields(of line: Substring, line number: Int) throws(CatalogCSVError) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        var atFieldStart = true
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    // A doubled quote is a quote; a single one ends the quoted part.
                    var lookahead = iterator
                    if lookahead.next() == "\"" {
                        current.append("\"")
                        iterator = lookahead
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" && atFieldStart {
                quoted = true
                atFieldStart = false
            } else if character == "," {
                fields.append(current)
                current = ""
                atFieldStart = true
            } else {
                current.append(character)
                atFieldStart = false
            }
        }
        guard !quoted else { throw CatalogCSVError(line: number, reason: "a quoted field is not closed") }
        fields.append(current)
        return fields
    }
}

/// Why a catalogue CSV was refused, with its line.
public struct CatalogCSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public var description: String { "line \(line): \(reason)" }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmed: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
