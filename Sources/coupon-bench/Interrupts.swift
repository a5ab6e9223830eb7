import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM end a benchmark cleanly: every process it started (coupon-server, coupon-station,
/// coupon-bench clip, the shells between them, found as its descendants in /proc) gets SIGTERM,
/// the temporary folders named after this process are removed, and it exits 128 + the signal.
enum Interrupts {
    /// Kept alive for the life of the process.
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { end(signal: number) }
            source.resume()
            sources.append(source)
        }
    }

    static func end(signal number: Int32) -> Never {
        let children = descendants(of: getpid())
        for pid in children { kill(pid, SIGTERM) }
        // A moment to go, then whatever is left is killed.
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline, children.contains(where: { kill($0, 0) == 0 }) { usleep(50_000) }
        for pid in children where kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        where name.hasSuffix("-bench-\(getpid())") {
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
        FileHandle.standardError.write(Data("coupon-bench: stopped by signal \(number); its processes ended\n".utf8))
        exit(128 + number)
    }

    /// Every live process whose parent chain leads to `root`, from /proc.
    static func descendants(of root: pid_t) -> [pid_t] {
        var parents: [pid_t: pid_t] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // pid (comm) state ppid ...: the command may hold spaces and parentheses.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { parents[pid] = parent }
        }
        var found: [pid_t] = []
        var frontier = [root]
        while let next = frontier.popLast() {
            let children = parents.filter { $0.value == next }.map(\.key)
            found += children
            frontier += children
        }
        return found
    }
}
