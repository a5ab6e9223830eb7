import Foundation

/// The package root, found from this file's location.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func samplesPath(_ name: String) -> String { packageRoot.appendingPathComponent("samples/\(name)").path }
