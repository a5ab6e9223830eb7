import Foundation
import PackagePlugin

/// Writes `Revision.swift` (`let gitRevision = "..."`) for the target it is applied to: the
/// checkout's commit, `git describe --always --dirty`, or `unknown` outside a git checkout. It runs
/// again when the checkout moves (`.git/HEAD` and `.git/logs/HEAD` are its inputs).
@main
struct RevisionPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "Revision.swift")
        let inputs = [".git/HEAD", ".git/logs/HEAD"].map { root.appending(path: $0) }.filter {
            FileManager.default.fileExists(atPath: $0.path)
        }
        let script = """
            revision=$(git -C "$1" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
            printf '/// The git revision this binary was built from.\\npackage let gitRevision = "%s"\\n' "$revision" > "$2"
            """
        return [
            .buildCommand(
                displayName: "Recording the git revision for \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", script, "revision", root.path, output.path],
                inputFiles: inputs, outputFiles: [output])
        ]
    }
}
