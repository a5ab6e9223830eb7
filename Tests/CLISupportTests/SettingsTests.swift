import CLISupport
import Testing

@Suite("Settings: a KEY=VALUE file, the environment over it")
struct SettingsTests {
    @Test("comments and blank lines skipped, spaces trimmed, COUPON_* environment wins, others ignored")
    func merge() throws {
        let text = "# a comment\n\nCOUPON_PORT = 9000\nCOUPON_HOST=0.0.0.0\nCOUPON_PUBLIC_URL=https://a.example/x=y\n"
        let values = try Settings.merge(
            file: text, source: "server.conf", environment: ["COUPON_PORT": "9100", "HOME": "/root"])
        #expect(values["COUPON_PORT"] == "9100")
        #expect(values["COUPON_HOST"] == "0.0.0.0")
        #expect(values["COUPON_PUBLIC_URL"] == "https://a.example/x=y")
        #expect(values["HOME"] == nil)
        #expect(try Settings.merge(file: nil, source: "", environment: [:]).isEmpty)
    }

    @Test("a line that is not KEY=VALUE is named")
    func badLine() {
        #expect(throws: SettingsError.self) {
            _ = try Settings.merge(file: "COUPON_PORT 9000\n", source: "server.conf", environment: [:])
        }
        do {
            _ = try Settings.merge(file: "=x\n", source: "s.conf", environment: [:])
            Issue.record("accepted a line without a key")
        } catch {
            #expect(error.description == "s.conf: '=x' is not KEY=VALUE")
        }
    }

    @Test("load: the file a program was given, or only the environment; an unreadable file is named")
    func load() throws {
        let files = ["server.conf": "COUPON_PORT=9000\nCOUPON_HOST=0.0.0.0\n"]
        let values = try Settings.load(path: "server.conf", environment: ["COUPON_PORT": "8080"]) { files[$0] }
        #expect(values == ["COUPON_PORT": "8080", "COUPON_HOST": "0.0.0.0"])
        #expect(try Settings.load(path: nil, environment: ["COUPON_HOST": "::"]) { files[$0] } == ["COUPON_HOST": "::"])
        do {
            _ = try Settings.load(path: "missing.conf", environment: [:]) { files[$0] }
            Issue.record("accepted a file that cannot be read")
        } catch {
            #expect(error.description == "cannot read the configuration file missing.conf")
        }
    }

    @Test("a key no program reads is named, not ignored; every program's keys are in the one list")
    func unknownKey() throws {
        do {
            _ = try Settings.merge(file: "COUPON_PROT=9000\n", source: "server.conf", environment: [:])
            Issue.record("a misspelt key was accepted")
        } catch {
            #expect(error.description.contains("COUPON_PROT"))
            #expect(error.unknownKey == "COUPON_PROT")
        }
        for key in ["COUPON_PORT", "COUPON_SERVER", "COUPON_API_KEY", "COUPON_STATION_JOURNAL", "COUPON_MAX_BODY"] {
            #expect(Settings.keys[key] != nil, "\(key)")
        }
    }
}
