import ArgumentParser
import Foundation
import QRRender

struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "QR PNG files rendered per second: ours (libqrencode + libpng in process) against the qrencode CLI.")

    @Option(help: "How many coupon payloads to render.")
    var count = 1000

    @Option(help: "Where to write the files (a fresh temporary folder by default).")
    var output: String?

    func run() throws {
        let folder = URL(fileURLWithPath: output ?? NSTemporaryDirectory()).appendingPathComponent(
            "render-bench-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var generator = SystemRandomNumberGenerator()
        let payloads = (0..<count).map { _ in
            "https://cpn.example/c#" + String((0..<26).map { _ in alphabet.randomElement(using: &generator)! })
        }
        let clock = ContinuousClock()
        let ours = try clock.measure {
            for (i, payload) in payloads.enumerated() {
                let png = try QRRenderer.png(try QREncoder.encode(text: payload, level: .medium))
                try Data(png).write(to: folder.appendingPathComponent("ours-\(i).png"))
            }
        }
        let oursRate = Double(count) / (ours.milliseconds / 1000)
        print(
            "ours:     \(count) PNG files in \(format(ours.milliseconds / 1000)) s = \(format(oursRate, 0)) renders/s (8 px modules, margin 4, level M, 1-bit PNG)"
        )
        guard
            let qrencode = ["/usr/bin/qrencode", "/usr/local/bin/qrencode"].first(
                where: FileManager.default.isExecutableFile)
        else {
            print("qrencode: not installed (apt-get install qrencode); no comparison")
            return
        }
        let theirs = try clock.measure {
            for (i, payload) in payloads.enumerated() {
                let arguments = [
                    "qrencode", "-s", "8", "-m", "4", "-l", "M", "-o",
                    folder.appendingPathComponent("qrencode-\(i).png").path, payload,
                ]
                guard try spawnAndWait(qrencode, arguments) == 0 else {
                    throw ValidationError("qrencode failed on payload \(i)")
                }
            }
        }
        let theirRate = Double(count) / (theirs.milliseconds / 1000)
        print(
            "qrencode: \(count) PNG files in \(format(theirs.milliseconds / 1000)) s = \(format(theirRate, 0)) renders/s (same settings, one process per file, started with posix_spawn as a shell would)"
        )
        print("ratio ours/qrencode: \(format(oursRate / theirRate, 1))x")
    }
}

/// Starts a program with posix_spawn and waits for it (Foundation's Process is much slower to
/// start one on Linux, which would flatter us).
func spawnAndWait(_ path: String, _ arguments: [String]) throws -> Int32 {
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    let status = posix_spawn(&pid, path, nil, nil, &argv, environ)
    guard status == 0 else { throw ValidationError("cannot start \(path): \(String(cString: strerror(status)))") }
    var exit: Int32 = 0
    while waitpid(pid, &exit, 0) < 0 {
        guard errno == EINTR else { throw ValidationError("waitpid failed") }
    }
    return (exit >> 8) & 0xFF
}
