import Foundation
import TestSupport
import Testing

/// `couponctl render -t` against the `qrencode` CLI (Debian's, which scripts/setup installs) on the
/// same text and options: the same characters, byte for byte; and the text from standard input.
@Suite("couponctl render -t against qrencode -t")
struct RenderTextTests {
    /// Runs `executable` with `arguments` and `input` on standard input; status and output bytes.
    static func run(_ executable: String, _ arguments: [String], input: String? = nil) throws -> (Int32, [UInt8]) {
        let result = try runProgram(URL(fileURLWithPath: executable), arguments, stdin: input.map { Data($0.utf8) })
        return (result.status, result.stdout)
    }

    static var couponctl: String { productsFolder.appendingPathComponent("couponctl").path }
    static let qrencode = "/usr/bin/qrencode"
    static let texts = [
        "https://cpn.example/c#K7QF-2M9X-8HJP-WD3R-T6YC", "12345678901234567890", "生日蛋糕 Birthday cake",
    ]

    @Test(
        "the same characters as qrencode for each text type, margin and level",
        arguments: ["UTF8", "ANSIUTF8", "ANSI", "ASCII"])
    func sameAsQrencode(type: String) throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.qrencode), "qrencode is not installed")
        for text in Self.texts {
            for (margin, level) in [("4", "M"), ("2", "L"), ("1", "H"), ("0", "Q")] {
                let options = ["-t", type, "-m", margin, "-l", level]
                let (peerStatus, peer) = try Self.run(Self.qrencode, options + [text])
                let (status, ours) = try Self.run(Self.couponctl, ["render", text] + options)
                #expect(peerStatus == 0 && status == 0)
                #expect(!ours.isEmpty)
                #expect(ours == peer, "\(type) -m \(margin) -l \(level) '\(text)' differs from qrencode")
            }
        }
    }

    @Test("the same EPS as qrencode -t EPS, byte for byte, for each module size and margin")
    func epsSameAsQrencode() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.qrencode), "qrencode is not installed")
        for text in Self.texts {
            for (size, margin) in [("3", "4"), ("8", "2"), ("1", "0")] {
                let options = ["-t", "EPS", "-s", size, "-m", margin, "-l", "M", "-o", "-"]
                let (peerStatus, peer) = try Self.run(Self.qrencode, options + [text])
                let (status, ours) = try Self.run(Self.couponctl, ["render", text] + options)
                #expect(peerStatus == 0 && status == 0)
                #expect(String(decoding: ours, as: UTF8.self).hasPrefix("%!PS-Adobe-2.0 EPSF-1.2\n"))
                let same = ours == peer  // not the bytes themselves in the message: thousands of them
                #expect(same, "EPS -s \(size) -m \(margin) '\(text)' differs from qrencode")
            }
        }
    }

    @Test("the text on standard input, as qrencode reads it (a trailing newline included)")
    func standardInput() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.qrencode), "qrencode is not installed")
        for input in ["https://cpn.example/c#K7QF-2M9X-8HJP-WD3R-T6YC", "echo adds a newline\n"] {
            let (_, peer) = try Self.run(Self.qrencode, ["-t", "UTF8", "-l", "M"], input: input)
            let (status, ours) = try Self.run(Self.couponctl, ["render", "-t", "UTF8"], input: input)
            #expect(status == 0)
            #expect(ours == peer, "'\(input)' from standard input differs from qrencode")
        }
        // A PNG from standard input is the PNG of the same text given as an argument.
        let (_, piped) = try Self.run(Self.couponctl, ["render", "-o", "-"], input: "TEXT")
        let (_, argument) = try Self.run(Self.couponctl, ["render", "TEXT", "-o", "-"])
        #expect(piped == argument && piped.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let (empty, _) = try Self.run(Self.couponctl, ["render", "-t", "UTF8"], input: "")
        #expect(empty == 2)
        let (unknown, _) = try Self.run(Self.couponctl, ["render", "x", "-t", "XPM"])
        #expect(unknown == 64)
    }
}
