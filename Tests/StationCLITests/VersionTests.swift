import CLISupport
import Foundation
import TestSupport
import Testing

/// `--version` from one place with the git revision, and shell completion installed by
/// scripts/install-completions.
@Suite("--version and shell completion")
struct VersionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `executable` with `arguments` from the package root; exit status and standard output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> (Int32, String)
    {
        let result = try runProgram(
            URL(fileURLWithPath: executable), arguments, in: root, environment: environment)
        return (result.status, result.text)
    }

    @Test("each program prints the same version and git revision, and exits 0")
    func version() throws {
        var printed: Set<String> = []
        for program in ["coupon-server", "coupon-station", "couponctl"] {
            let (status, output) = try Self.run(productsFolder.appendingPathComponent(program).path, ["--version"])
            #expect(status == 0, "\(program): \(output)")
            #expect(output.hasPrefix(ProgramVersion.number + " ("), "\(program): \(output)")
            printed.insert(output)
        }
        #expect(printed.count == 1, "\(printed)")
        let revision = try #require(printed.first).split(separator: "(").last.map { $0.dropLast(2) } ?? ""
        #expect(
            revision == "unknown"
                || revision.range(of: "^[0-9a-f]{7,40}(-dirty)?$", options: .regularExpression) != nil,
            "\(revision)")
        // In a git checkout, the commit this was built from.
        let (gitStatus, head) = try Self.run("/usr/bin/git", ["-C", Self.root.path, "rev-parse", "HEAD"])
        if gitStatus == 0, revision != "unknown" {
            #expect(head.hasPrefix(String(revision.prefix(12))), "built from \(revision), HEAD \(head)")
        }
    }

    @Test("scripts/install-manuals writes a man page per command and subcommand, from the command definitions")
    func manuals() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("man-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try Self.run(
            Self.root.appendingPathComponent("scripts/install-manuals").path, [],
            environment: ["BIN": productsFolder.path, "MAN_DIR": folder.path])
        #expect(status == 0, "\(output)")
        let pages = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        for page in [
            "coupon-server.1", "coupon-server.serve.1", "coupon-station.settle.1", "coupon-station.scan.1",
            "couponctl.1", "couponctl.issue.1", "couponctl.render.1", "couponctl.coupons.forget-phone.1",
        ] {
            #expect(pages.contains(page), "no \(page) in \(pages.sorted())")
        }
        // man renders them, and what --help says is in the page.
        let (rendered, text) = try Self.run(
            "/usr/bin/man", ["-l", "-P", "cat", folder.appendingPathComponent("couponctl.render.1").path],
            environment: ["MANWIDTH": "100"])
        #expect(rendered == 0, "\(text)")
        #expect(text.contains("couponctl render") && text.contains("-t") && text.contains("EPS"), "\(text)")
        let (_, serve) = try Self.run(
            "/usr/bin/man", ["-l", "-P", "cat", folder.appendingPathComponent("coupon-server.serve.1").path],
            environment: ["MANWIDTH": "200"])
        #expect(serve.contains("--phone-retention-days"), "\(serve)")
    }

    @Test("scripts/install-completions writes bash completion that completes the subcommands")
    func completion() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try Self.run(
            Self.root.appendingPathComponent("scripts/install-completions").path, ["bash"],
            environment: ["BIN": productsFolder.path, "COMPLETION_DIR": folder.path])
        #expect(status == 0, "\(output)")
        for (program, function, expected) in [
            ("couponctl", "_couponctl", "issue"), ("coupon-station", "_coupon-station", "settle"),
            ("coupon-server", "_coupon-server", "migrate"),
        ] {
            let script = folder.appendingPathComponent(program).path
            let line = "\(program) "
            let (completed, words) = try Self.run(
                "/bin/bash",
                [
                    "-c",
                    "source '\(script)'; COMP_WORDS=(\(program) ''); COMP_CWORD=1; COMP_LINE='\(line)'; COMP_POINT=\(line.count); \(function); echo \"${COMPREPLY[@]}\"",
                ])
            #expect(completed == 0)
            #expect(
                words.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.contains(
                    expected),
                "\(program): \(words)")
        }
    }
}
