import Foundation
import QRRender

/// Where receipts go: a text file (or standard output), an ESC/POS file or printer device, and
/// optionally the receipt's QR as a PNG. A fault here never undoes a payment.
public struct ReceiptPrinter: Sendable {
    public var width = 42
    /// The text receipt's file; nil prints it on standard output when `textToStdout`.
    public var textPath: String?
    public var textToStdout = true
    /// ESC/POS output: a file or a printer device (`/dev/usb/lp0`).
    public var escposPath: String?
    public var escpos = ESCPOS()
    /// The balance link's QR as a PNG, for a screen or a test.
    public var qrPath: String?
    /// Append to the files instead of replacing them (a till printing many receipts).
    public var append = false

    public init() {}

    /// Prints `receipt` everywhere configured.
    /// - Throws: ``StationError/badInput(_:)`` naming the output that failed.
    public func print(_ receipt: Receipt) throws(StationError) {
        let layout = ReceiptLayout(receipt, width: width)
        if let textPath {
            try write(Array(layout.text.utf8), to: textPath)
        } else if textToStdout {
            FileHandle.standardOutput.write(Data(layout.text.utf8))
        }
        if let escposPath {
            try write(try escpos.bytes(layout), to: escposPath)
        }
        if let qrPath, let link = receipt.balanceLink {
            do {
                let png = try QRRenderer.png(try QREncoder.encode(text: link, level: .medium), style: QRStyle())
                try write(png, to: qrPath)
            } catch let error as StationError {
                throw error
            } catch {
                throw .badInput("cannot render the receipt's QR: \(error)")
            }
        }
    }

    func write(_ bytes: [UInt8], to path: String) throws(StationError) {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            guard manager.createFile(atPath: path, contents: nil) else {
                throw .badInput("cannot create \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw .badInput("cannot open \(path) for writing (printer off or no permission?)")
        }
        defer { try? handle.close() }
        do {
            if append {
                try handle.seekToEnd()
            } else if Self.isRegularFile(path) {
                try handle.truncate(atOffset: 0)
            }
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
        } catch {
            throw .badInput("cannot write to \(path): \(error.localizedDescription)")
        }
    }

    static func isRegularFile(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
    }
}
