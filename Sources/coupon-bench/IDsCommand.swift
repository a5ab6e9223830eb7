import ArgumentParser
import CouponCore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `coupon-bench ids --exhaust-descriptors`: makes ids the way the server does after using up
/// every file descriptor the process may open, as an attacker holding connections would. The
/// tests check the ids are all distinct (Foundation's UUID type gave constants here).
struct IDsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ids", abstract: "Print ids made with no file descriptor left (a test of the id generator).",
        shouldDisplay: false)

    @Option(help: "How many ids to print.") var count = 1000
    @Flag(name: .customLong("exhaust-descriptors"), help: "Lower the descriptor limit to 64 and use all of them first.")
    var exhaust = false

    func run() throws {
        var held: [Int32] = []
        if exhaust {
            var limit = rlimit(rlim_cur: 64, rlim_max: 64)
            guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
                throw ValidationError("setrlimit failed: \(String(cString: strerror(errno)))")
            }
            while true {
                let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
                guard fd >= 0 else { break }
                held.append(fd)
            }
            // Confirm the process is out of descriptors before making any id.
            guard open("/dev/null", O_RDONLY) < 0, errno == EMFILE else {
                throw ValidationError("descriptors were not exhausted")
            }
        }
        var out = ""
        for _ in 0..<count { out += SecureID.make(prefix: "cpn") + "\n" }
        for fd in held { close(fd) }
        print(out, terminator: "")
        FileHandle.standardError.write(Data("descriptors held while making ids: \(held.count)\n".utf8))
    }
}
