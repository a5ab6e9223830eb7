import Foundation

/// A program run to its end: exit status and standard output.
public struct ProgramOutput: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    public var text: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs `executable` with `arguments` (in `directory`, with `stdin` and `environment` over this
/// process's) and waits for it. Standard error is dropped, or merged into the output.
public func runProgram(
    _ executable: URL, _ arguments: [String], in directory: URL? = nil, stdin: Data? = nil,
    environment: [String: String] = [:], mergeErrors: Bool = false
) throws -> ProgramOutput {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe(), input = Pipe()
    process.standardOutput = output
    process.standardError = mergeErrors ? output : FileHandle.nullDevice
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    if let stdin {
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ProgramOutput(status: process.terminationStatus, stdout: [UInt8](data))
}
