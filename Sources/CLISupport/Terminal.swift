#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes to standard error and standard output without buffering surprises. When the reader of
/// standard output has gone away (`| head`), the program ends quietly with status 141, as a shell
/// tool killed by SIGPIPE would.
public enum Terminal {
    public static func error(_ text: String) {
        write(text + "\n", to: 2)
    }

    public static func write(_ text: String, to fd: Int32) {
        var bytes = Array(text.utf8)
        writeAll(&bytes, to: fd)
    }

    public static func writeAll(_ bytes: inout [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE && fd == 1 { exit(141) }
                return
            }
            offset += n
        }
    }

    public static var stderrIsTerminal: Bool { isatty(2) == 1 }
    public static var stdoutIsTerminal: Bool { isatty(1) == 1 }
}

/// A one-line progress bar on standard error, drawn only when it is a terminal.
public struct ProgressBar {
    let total: Int
    let enabled: Bool
    private var lastDrawn = -1

    public init(total: Int, minimum: Int = 10) {
        self.total = total
        self.enabled = total >= minimum && Terminal.stderrIsTerminal
    }

    public mutating func update(_ done: Int) {
        guard enabled else { return }
        let width = 30
        let filled = total == 0 ? width : done * width / total
        guard filled != lastDrawn || done == total else { return }
        lastDrawn = filled
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
        Terminal.write("\r[\(bar)] \(done)/\(total)", to: 2)
    }

    public func finish() {
        guard enabled else { return }
        Terminal.write("\r\u{1B}[K", to: 2)
    }
}
