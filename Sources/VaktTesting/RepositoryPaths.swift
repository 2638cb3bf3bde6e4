import Foundation

/// Where things are in the repository, found from this source file's location.
public enum RepositoryPaths {
    /// The repository's root directory.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // VaktTesting
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()

    /// The `vakt` executable built by `swift build` (override with `VAKT_BIN`).
    public static var vaktBinary: String {
        if let path = ProcessInfo.processInfo.environment["VAKT_BIN"] { return path }
        return root.appendingPathComponent(".build/debug/vakt").path
    }

    public static var demoConfig: URL { root.appendingPathComponent("Config/demo") }
    public static var devices: URL { root.appendingPathComponent("Devices") }
}
