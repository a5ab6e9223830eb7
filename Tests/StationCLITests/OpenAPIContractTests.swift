import Foundation
import Testing

/// docs/openapi.yaml against the live server: the document validates (openapi-spec-validator),
/// and schemathesis, generating requests from it, finds no 5xx, no response that breaks its
/// schema and no status code the spec does not list. Both tools come from PyPI into .venv/
/// (scripts/setup). The run is bounded: a fixed seed and a few examples per operation.
@Suite("The OpenAPI document validates and the live server keeps to it (schemathesis)", .serialized)
struct OpenAPIContractTests {
    static let spec = packageRoot.appendingPathComponent("docs/openapi.yaml")
    static let checks =
        "not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance"

    static func tool(_ name: String) throws -> URL {
        let url = packageRoot.appendingPathComponent(".venv/bin/\(name)")
        try #require(
            FileManager.default.isExecutableFile(atPath: url.path),
            "\(name) is missing: run scripts/setup (it fills .venv/)")
        return url
    }

    /// schemathesis on `spec` against `server` with `key`, limited to paths matching `paths`.
    static func schemathesis(_ spec: URL, _ server: LiveServer, key: String, paths: String? = nil, examples: Int = 12)
        async throws -> ProcessResult
    {
        var arguments = [
            "run", spec.path, "--url", server.url, "-H", "Authorization: Bearer \(key)", "--checks", checks,
            "--max-examples", "\(examples)", "--seed", "20261203", "--no-color", "--generation-database", "none",
        ]
        if let paths { arguments += ["--include-path-regex", paths] }
        return try await runDetached(try tool("schemathesis").path, arguments)
    }

    @Test("openapi-spec-validator accepts docs/openapi.yaml")
    func validates() async throws {
        let result = try await runDetached(try Self.tool("openapi-spec-validator").path, [Self.spec.path])
        #expect(result.status == 0, "\(result.text)\(result.stderr)")
        #expect(result.text.contains("OK"))
    }

    @Test("schemathesis finds no 5xx, no schema break and no undocumented status, as admin and as a station")
    func liveServerKeepsToTheSpec() async throws {
        let server = try await LiveServer()
        let admin = try await Self.schemathesis(Self.spec, server, key: server.adminKey)
        #expect(admin.status == 0, "\(admin.text.suffix(6000))")
        #expect(admin.text.contains(" passed") && !admin.text.contains("❌"), "\(admin.text.suffix(3000))")
        // A station's calls: settlements and their lookups, which an admin key is refused.
        let station = try await Self.schemathesis(
            Self.spec, server, key: server.stationKey, paths: "^/v1/(settlements|coupons/lookup|products)")
        #expect(station.status == 0, "\(station.text.suffix(6000))")
        #expect(station.text.contains(" passed") && !station.text.contains("❌"), "\(station.text.suffix(3000))")
    }

    @Test("the check can fail: a spec without export's 400 is caught as an undocumented status")
    func catchesAnUndocumentedStatus() async throws {
        let server = try await LiveServer()
        let text = try String(contentsOf: Self.spec, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "  /v1/export:"))
        let bad = try #require(lines[start...].firstIndex { $0.hasPrefix("        '400':") })
        lines.remove(at: bad)
        let broken = server.folder.appendingPathComponent("broken.yaml")
        try lines.joined(separator: "\n").write(to: broken, atomically: true, encoding: .utf8)
        let result = try await Self.schemathesis(broken, server, key: server.adminKey, paths: "^/v1/export$")
        #expect(result.status != 0)
        #expect(result.text.contains("Undocumented status code"), "\(result.text.suffix(3000))")
    }
}
