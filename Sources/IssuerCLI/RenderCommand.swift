import ArgumentParser
import CLISupport
import Foundation
import Imaging
import QRRender

/// `couponctl render`: writes a QR image of a text or a file's bytes, offline.
public struct RenderCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a QR code as PNG, SVG, EPS or text for a terminal.",
        discussion: """
            Flags as qrencode spells them. Defaults: 8 px modules, 4-module margin, level M (qrencode's 3 px and \
            level L are too small and weak for a phone screen). Without TEXT or -r, the text is read from \
            standard input as qrencode does (a trailing newline is part of it: use printf, or echo -n). \
            The text types draw what qrencode -t draws, character for character.

            Examples:
              couponctl render 'https://cpn.example/c#K7QF-2M9X-...' -o coupon.png
              printf '%s' 'https://cpn.example/c#K7QF-2M9X-...' | couponctl render -t UTF8
            """)

    @Argument(help: "The text to encode (UTF-8); none: standard input.")
    public var text: String?

    @Option(
        name: [.customShort("r"), .customLong("data-file")], help: "Encode this file's bytes exactly instead of TEXT.")
    public var dataFile: String?

    @Option(
        name: [.customShort("t"), .customLong("type")],
        help:
            "Output type: PNG, SVG, EPS, UTF8, ANSIUTF8, ANSI or ASCII (default PNG; the text types go to a terminal).")
    public var type: String = "PNG"

    @Option(name: .shortAndLong, help: "Output file; - for standard output.")
    public var output: String = "-"

    @Option(name: .customShort("s"), help: "Module size in pixels.")
    public var size: Int = 8

    @Option(name: .customShort("m"), help: "Margin (quiet zone) in modules.")
    public var margin: Int = 4

    @Option(name: .customShort("l"), help: "Error correction level: L, M, Q or H.")
    public var level: String = "M"

    @Option(name: .customShort("v"), help: "Minimum symbol version, 1-40 (0: automatic).")
    public var version: Int = 0

    @Flag(help: "Write SVG instead of PNG.")
    public var svg = false

    public init() {}

    /// PNG, SVG, or one of the text types.
    enum Output: Equatable {
        case png, svg, eps
        case text(QRTextType)

        init?(_ name: String) {
            switch name.uppercased() {
            case "PNG": self = .png
            case "SVG": self = .svg
            case "EPS": self = .eps
            default:
                guard let type = QRTextType(rawValue: name.uppercased()) else { return nil }
                self = .text(type)
            }
        }
    }

    var outputType: Output { svg ? .svg : Output(type) ?? .png }

    public func validate() throws {
        guard text == nil || dataFile == nil else { throw ValidationError("give TEXT or -r FILE, not both") }
        guard Output(type) != nil else {
            throw ValidationError("-t must be PNG, SVG, EPS, UTF8, ANSIUTF8, ANSI or ASCII, not \(type)")
        }
        if text == nil, dataFile == nil, isatty(STDIN_FILENO) != 0 {
            throw ValidationError("give TEXT, -r FILE, or the text on standard input")
        }
        guard (1...100).contains(size) else { throw ValidationError("-s must be 1 to 100 pixels per module") }
        guard (0...100).contains(margin) else { throw ValidationError("-m must be 0 to 100 modules") }
        guard ErrorCorrection(letter: level) != nil else { throw ValidationError("-l must be L, M, Q or H") }
        guard (0...40).contains(version) else { throw ValidationError("-v must be 0 to 40") }
        if output == "-", outputType == .png, Terminal.stdoutIsTerminal {
            throw ValidationError("refusing to write a PNG to a terminal; name a file with -o")
        }
    }

    public func run() throws {
        let level = ErrorCorrection(letter: level)!
        let style = QRStyle(moduleSize: size, margin: margin)
        // What cannot be encoded (empty, too long, an unreadable file) is bad input (2), as
        // couponctl's exit table says; a QR that cannot be written is a render failure (1).
        let matrix: QRMatrix
        do {
            if let dataFile {
                guard let data = FileManager.default.contents(atPath: dataFile) else {
                    throw IssuerError.badInput("cannot read \(dataFile)")
                }
                matrix = try QREncoder.encode(bytes: [UInt8](data), level: level, version: version)
            } else if let text {
                matrix = try QREncoder.encode(text: text, level: level, version: version)
            } else {
                let input = FileHandle.standardInput.readDataToEndOfFile()
                guard let text = String(data: input, encoding: .utf8) else {
                    throw IssuerError.badInput("standard input is not UTF-8 text; use -r FILE for bytes")
                }
                matrix = try QREncoder.encode(text: text, level: level, version: version)
            }
        } catch let error as IssuerError {
            throw error
        } catch {
            throw IssuerError.badInput("\(error)")
        }
        do {
            var bytes: [UInt8]
            switch outputType {
            case .png: bytes = try QRRenderer.png(matrix, style: style)
            case .svg: bytes = Array(QRRenderer.svg(matrix, style: style).utf8)
            case .eps: bytes = Array(QRRenderer.eps(matrix, style: style).utf8)
            case .text(let type): bytes = Array(QRRenderer.text(matrix, type: type, margin: margin).utf8)
            }
            if output == "-" {
                Terminal.writeAll(&bytes, to: 1)
            } else {
                do {
                    try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
                } catch {
                    throw CLIError("cannot write \(output): \((error as NSError).localizedDescription)")
                }
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// A `render` failure whose message is the whole story (exit 1).
public struct CLIError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
