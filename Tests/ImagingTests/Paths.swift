import Foundation

/// The package root, found from this file's location, so tests run from any directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func fixture(_ name: String) -> String {
    packageRoot.appendingPathComponent("Tests/ImagingTests/Fixtures/\(name)").path
}

func sample(_ path: String) -> String { packageRoot.appendingPathComponent("samples/\(path)").path }

func bytes(of path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }
