import Foundation

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The folder holding the built executables: the one this test binary was built into.
let productsFolder: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("coupon-station").path) {
            return url
        }
    }
    return packageRoot.appendingPathComponent(".build/release")
}()

struct ProcessResult {
    var status: Int32
    var stdout: Data
    var stderr: String
    var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a built executable of this package and collects its output and exit status.
func run(_ tool: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws
    -> ProcessResult
{
    let process = Process()
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.executableURL =
        tool.hasPrefix("/") ? URL(fileURLWithPath: tool) : productsFolder.appendingPathComponent(tool)
    process.arguments = arguments
    process.currentDirectoryURL = packageRoot
    let out = Pipe()
    process.standardOutput = out
    // Standard error goes to a file, so neither stream can fill up and block the child.
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let errHandle = try FileHandle(forWritingTo: errURL)
    defer { try? FileManager.default.removeItem(at: errURL) }
    process.standardError = errHandle
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try errHandle.close()
    let errData = try Data(contentsOf: errURL)
    return ProcessResult(
        status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
}

/// ``run(_:_:stdin:environment:)`` on a thread of its own: a test that waits for a child for
/// seconds must not hold one of the few cooperative threads every in-process server needs.
func runDetached(
    _ tool: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]
) async throws -> ProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try run(tool, arguments, stdin: stdin, environment: environment) })
        }.start()
    }
}

func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("coupon-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
