import ArgumentParser

struct RenderBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render", abstract: "QR PNG renders per second, ours against the qrencode CLI.")
    func run() throws {}
}
