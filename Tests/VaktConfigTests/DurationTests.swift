import Testing

@testable import VaktConfig

@Suite struct DurationTests {
    @Test(arguments: [
        ("0", 0.0), ("0s", 0), ("90s", 90), ("2m", 120), ("1h", 3600), ("1h30m", 5400), ("1.5m", 90),
        ("1m30s", 90), (" 5s ", 5), ("30d", 2_592_000), ("7d12h", 648_000),
    ])
    func parsesDurations(text: String, seconds: Double) {
        #expect(parseDuration(text) == seconds)
    }

    @Test(arguments: ["", "5", "abc", "2x", "m", "30m1h", "1m1m", "-1s", "1.2.3s", "2 m", "1h30", "1h2d"])
    func rejectsBadDurations(text: String) {
        #expect(parseDuration(text) == nil)
    }

    @Test func formatsDurationsAsConfigWritesThem() {
        #expect(formatDuration(0) == "0s")
        #expect(formatDuration(90) == "1m30s")
        #expect(formatDuration(120) == "2m")
        #expect(formatDuration(5400) == "1h30m")
        #expect(formatDuration(7 * 86_400) == "7d")
    }
}
