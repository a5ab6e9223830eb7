import Foundation

/// An API key kept in a file (`--key-file`), so it shows neither in `ps` nor in the shell's
/// history: the file's first line, refused when others may read the file, as ssh refuses a key.
public enum KeyFile {
    public static func read(_ path: String) throws(KeyFileError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw KeyFileError(path: path, problem: "cannot be read") }
        guard info.st_mode & 0o077 == 0 else {
            throw KeyFileError(
                path: path,
                problem: "may be read by others (mode \(String(info.st_mode & 0o777, radix: 8))): chmod 600 \(path)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyFileError(path: path, problem: "cannot be read as text")
        }
        let key = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !key.isEmpty else { throw KeyFileError(path: path, problem: "holds no key") }
        return key
    }
}

/// A key file that cannot be used, and why.
public struct KeyFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "the key file \(path) \(problem)" }
}
