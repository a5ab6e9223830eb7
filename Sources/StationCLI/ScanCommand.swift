import ArgumentParser
import CLISupport
import Foundation
import Imaging
import Scanning

/// `coupon-station scan`: decodes images like `zbarimg`, with the full decode pipeline.
public struct ScanCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Decode QR codes and product barcodes in images, like zbarimg.",
        discussion: """
            Reads PNG, JPEG (EXIF orientation applied), PGM/PPM and the first frame of a Y4M stream; - reads one \
            image from standard input. Prints one line per symbol: SYMBOLOGY:TEXT (zbarimg's names); --xml \
            prints zbarimg's XML (each symbol as zbar describes it), -1 stops at the first symbol, and \
            -S takes zbarimg's symbology settings (-Sdisable -Sqrcode.enable reads QR codes only).

            Exit status: 0 every image yielded a symbol, 4 some yielded none, 1 an image could not be read, \
            64 usage error.

            Example:
              coupon-station scan --json phone.jpg cake.jpg
            """)

    @Argument(help: "Image files, or - for standard input.")
    public var files: [String]

    @Flag(help: "Print only the decoded data, one symbol per line.")
    public var raw = false

    @Flag(help: "Print one JSON object per symbol: file, symbology, text, bytes (base64), pass, polygon.")
    public var json = false

    @Option(
        help: "Symbologies to read, comma separated: qr,ean13,ean8,upca,upce,code128.",
        transform: ScanCommand.parseSymbologies)
    public var symbologies: Set<Symbology> = Set(Symbology.allCases)

    @Flag(name: .shortAndLong, help: "No summary line on standard error.")
    public var quiet = false

    @Flag(help: "Print zbarimg's XML: barcodes, source, index and zbar's own symbol elements.")
    public var xml = false

    @Flag(name: [.customShort("1"), .customLong("oneshot")], help: "Stop after the first symbol.")
    public var oneshot = false

    @Option(
        name: [.customShort("S", allowingJoined: true), .customLong("set")],
        help:
            "A zbarimg setting: [SYMBOLOGY.]enable|disable[=0|1], SYMBOLOGY one of qrcode, ean13, ean8, upca, upce, code128 or *."
    )
    public var settings: [String] = []

    public init() {}

    public func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one image file, or - for standard input") }
        guard [raw, json, xml].filter({ $0 }).count <= 1 else {
            throw ValidationError("--raw, --json and --xml cannot be combined")
        }
        _ = try Self.apply(settings, to: symbologies)
        guard files.filter({ $0 == "-" }).count <= 1 else {
            throw ValidationError("standard input (-) can be read only once")
        }
    }

    static func parseSymbologies(_ text: String) throws -> Set<Symbology> {
        var set = Set<Symbology>()
        for name in text.split(separator: ",") {
            guard let symbology = Symbology(name: String(name)) else {
                throw ValidationError("unknown symbology '\(name)'; known: qr, ean13, ean8, upca, upce, code128")
            }
            set.insert(symbology)
        }
        guard !set.isEmpty else { throw ValidationError("--symbologies needs at least one name") }
        return set
    }

    /// zbarimg's `-S` settings applied in order to `start`.
    static func apply(_ settings: [String], to start: Set<Symbology>) throws -> Set<Symbology> {
        let names: [String: Symbology] = [
            "qrcode": .qr, "qr": .qr, "ean13": .ean13, "ean8": .ean8, "upca": .upca, "upce": .upce,
            "code128": .code128,
        ]
        var set = start
        for setting in settings {
            var (target, rest) = ("*", Substring(setting))
            if let dot = setting.firstIndex(of: ".") {
                target = String(setting[..<dot])
                rest = setting[setting.index(after: dot)...]
            }
            let parts = rest.split(separator: "=", maxSplits: 1)
            let value = parts.count == 2 ? String(parts[1]) : "1"
            guard let config = parts.first, ["enable", "disable"].contains(config), ["0", "1"].contains(value) else {
                throw ValidationError("-S\(setting): only enable and disable (=0 or =1) are supported")
            }
            let on = (config == "enable") == (value == "1")
            let affected: Set<Symbology>
            if target == "*" {
                affected = Set(Symbology.allCases)
            } else if let symbology = names[target.lowercased()] {
                affected = [symbology]
            } else {
                throw ValidationError(
                    "-S\(setting): unknown symbology '\(target)'; known: qrcode, ean13, ean8, upca, upce, code128")
            }
            if on { set.formUnion(affected) } else { set.subtract(affected) }
        }
        guard !set.isEmpty else { throw ValidationError("the -S settings leave no symbology enabled") }
        return set
    }

    /// `text` for an XML attribute in single quotes.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: "'", with: "&apos;")
    }

    public func run() throws {
        var pipeline = DecodePipeline(symbologies: try Self.apply(settings, to: symbologies))
        pipeline.describesSymbols = xml
        let clock = ContinuousClock()
        let start = clock.now
        var unreadable = 0, empty = 0, symbolCount = 0
        var progress = ProgressBar(total: files.count)
        if xml { Terminal.write("<barcodes xmlns='http://zbar.sourceforge.net/2008/barcode'>\n", to: 1) }
        defer { if xml { Terminal.write("</barcodes>\n", to: 1) } }
        for (index, file) in files.enumerated() {
            progress.update(index)
            do {
                let image = try ImageReader.read(path: file)
                let found = try pipeline.decode(image).symbols
                let symbols = oneshot ? Array(found.prefix(1)) : found
                if symbols.isEmpty { empty += 1 }
                symbolCount += symbols.count
                var out = ""
                if xml {
                    out += "<source href='\(Self.escaped(file))'>\n"
                    if !symbols.isEmpty {
                        out += "<index num='0'>\n" + symbols.map { $0.zbarXML + "\n" }.joined() + "</index>\n"
                    }
                    out += "</source>\n"
                } else {
                    for symbol in symbols { out += try line(for: symbol, file: file) + "\n" }
                }
                Terminal.write(out, to: 1)
                if oneshot, !symbols.isEmpty { break }
            } catch {
                progress.finish()
                Terminal.error("coupon-station: \(error)")
                unreadable += 1
            }
        }
        progress.update(files.count)
        progress.finish()
        if !quiet {
            let seconds = (clock.now - start).components
            let elapsed = Double(seconds.seconds) + Double(seconds.attoseconds) / 1e18
            Terminal.error(
                "scanned \(symbolCount) symbols from \(files.count - unreadable) of \(files.count) images in "
                    + String(format: "%.2f", elapsed) + " s; \(empty) without a symbol, \(unreadable) unreadable")
        }
        // -1 found what it was asked for: the images before it do not make this a failure.
        if oneshot, symbolCount > 0 { return }
        if unreadable > 0 { throw ScanShortfall.unreadable(unreadable) }
        if empty > 0 { throw ScanShortfall.empty(empty) }
    }

    private func line(for symbol: DecodedSymbol, file: String) throws -> String {
        if raw { return symbol.text }
        if json {
            let record = ScanRecord(
                file: file, symbology: symbol.symbology.zbarName, text: symbol.text,
                bytes: Data(symbol.bytes).base64EncodedString(), pass: symbol.pass,
                polygon: symbol.polygon.map { [Int($0.x.rounded()), Int($0.y.rounded())] })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(record), as: UTF8.self)
        }
        return "\(symbol.symbology.zbarName):\(symbol.text)"
    }
}

/// One line of `scan --json`.
struct ScanRecord: Codable {
    var file: String
    var symbology: String
    var text: String
    var bytes: String
    var pass: String
    var polygon: [[Int]]
}

/// A scan that did not read every image (the summary line said so): unreadable files, or images
/// without a symbol.
public enum ScanShortfall: ReportedFailure, CustomStringConvertible {
    case unreadable(Int)
    case empty(Int)

    public var description: String {
        switch self {
        case .unreadable(let n): "\(n) images unreadable"
        case .empty(let n): "\(n) images without a symbol"
        }
    }
}
