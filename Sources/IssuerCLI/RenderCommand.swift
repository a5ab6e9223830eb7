import ArgumentParser
import CLISupport
import Foundation
import Imaging
import QRRender

/// `couponctl render`: writes a QR image of a text or a file's bytes, offline.
public struct RenderCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a QR code as PNG or SVG.",
        discussion: """
            Flags as qrencode spells them. Defaults: 8 px modules, 4-module margin, level M (qrencode's 3 px and \
            level L are too small and weak for a phone screen).

            Example:
              couponctl render 'https://cpn.example/c#K7QF-2M9X-...' -o coupon.png
            """)

    @Argument(help: "The text to encode (UTF-8).")
    public var text: String?

    @Option(name: .customLong("data-file"), help: "Encode this file's bytes exactly instead of TEXT.")
    public var dataFile: String?

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

    public func validate() throws {
        guard (text == nil) != (dataFile == nil) else {
            throw ValidationError("give either TEXT or --data-file, not both or neither")
        }
        guard (1...100).contains(size) else { throw ValidationError("-s must be 1 to 100 pixels per module") }
        guard (0...100).contains(margin) else { throw ValidationError("-m must be 0 to 100 modules") }
        guard ErrorCorrection(letter: level) != nil else { throw ValidationError("-l must be L, M, Q or H") }
        guard (0...40).contains(version) else { throw ValidationError("-v must be 0 to 40") }
        if output == "-", !svg, Terminal.stdoutIsTerminal {
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
            } else {
                matrix = try QREncoder.encode(text: text!, level: level, version: version)
            }
        } catch let error as IssuerError {
            throw error
        } catch {
            throw IssuerError.badInput("\(error)")
        }
        do {
            var bytes =
                svg ? Array(QRRenderer.svg(matrix, style: style).utf8) : try QRRenderer.png(matrix, style: style)
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
