import ArgumentParser
import CouponCore
import Foundation

struct IssueBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue",
        abstract:
            "Coupons issued and rendered per second by couponctl, next to the qrencode CLI rendering the same payloads.",
        discussion: """
            Starts the built coupon-server on a fresh database, runs `couponctl issue --count N --format png` against \
            it (issue through the API in batches, render each QR with libqrencode and libpng, write the files and \
            the JSON lines), then renders the first --peer payloads with one `qrencode -s 8 -m 4 -l M` process each.
              swift run -c release coupon-bench issue --count 10000
            """)

    @Option(help: "Coupons to issue in one couponctl command.") var count = 10_000
    @Option(help: "Payloads the qrencode CLI renders (one process each).") var peer = 1000

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("issue-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try await BenchServer.run(folder: folder.appendingPathComponent("server")) { server in
            let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
                .deletingLastPathComponent()
            let out = folder.appendingPathComponent("ours")
            let clock = ContinuousClock()
            let start = clock.now
            let issued = try Child.run(
                bin.appendingPathComponent("couponctl").path,
                ["issue", "--amount", "10.00", "--currency", "CNY", "--count", "\(count)", "--out", out.path],
                environment: [
                    "COUPON_SERVER": "http://127.0.0.1:\(server.port)", "COUPON_API_KEY": try server.adminKey,
                ])
            let ours = (clock.now - start).milliseconds / 1000
            guard issued.status == 0 else { throw ValidationError("couponctl failed: \(issued.stderr)") }
            struct Issued: Decodable { var qr_payload: String }
            let payloads = issued.stdout.split(separator: "\n").prefix(peer).compactMap { line -> String? in
                (try? JSONDecoder().decode(Issued.self, from: Data(line.utf8)))?.qr_payload
            }
            let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".png") }
            let peerOut = folder.appendingPathComponent("qrencode")
            try FileManager.default.createDirectory(at: peerOut, withIntermediateDirectories: true)
            let peerStart = clock.now
            for (index, payload) in payloads.enumerated() {
                let result = try Child.run(
                    "/usr/bin/qrencode",
                    [
                        "-s", "8", "-m", "4", "-l", "M", "-o", peerOut.appendingPathComponent("\(index).png").path,
                        payload,
                    ])
                guard result.status == 0 else { throw ValidationError("qrencode failed: \(result.stderr)") }
            }
            let peerSeconds = (clock.now - peerStart).milliseconds / 1000
            let ourRate = Double(count) / ours, peerRate = Double(payloads.count) / peerSeconds
            print(
                "couponctl issue: \(count) coupons issued and rendered (\(files.count) PNG files) in \(format(ours)) s = \(format(ourRate, 0)) coupons/s"
            )
            print(
                "qrencode CLI:    \(payloads.count) of the same payloads rendered in \(format(peerSeconds)) s = \(format(peerRate, 0)) PNG/s"
            )
            print(
                "ratio: \(format(ourRate / peerRate)) x the qrencode CLI's rate (ours includes issuing through the API)"
            )
        }
    }
}

/// Runs a program to completion, collecting its output.
enum Child {
    static func run(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], stdin: FileHandle? = nil
    )
        throws -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("bench-err-\(SecureID.hex())")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errFile) }
        let err = try FileHandle(forWritingTo: errFile)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin { process.standardInput = stdin }
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try err.close()
        return (
            process.terminationStatus, String(decoding: data, as: UTF8.self),
            (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
        )
    }
}
