/// One problem in a configuration or device-profile file, at a position a person can open.
///
/// `description` is the `file:line:col: message` line that `vakt check` prints. Lines and
/// columns are 1-based, as editors count them.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path, joined from the directory the loader was given.
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    init(at position: Position, _ message: String) {
        self.init(file: position.file, line: position.line, column: position.column, message: message)
    }

    public var description: String { "\(file):\(line):\(column): \(message)" }

    /// Orders errors by file, then line, then column, so output reads top to bottom.
    static func precedes(_ a: ConfigError, _ b: ConfigError) -> Bool {
        (a.file, a.line, a.column, a.message) < (b.file, b.line, b.column, b.message)
    }
}

/// Every problem found in one load, thrown together so an operator fixes them in one pass.
///
/// `description` has one `file:line:col: message` line per error, sorted by file, line and column.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    /// The errors, sorted by file, line and column.
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) {
        self.errors = errors.sorted(by: ConfigError.precedes)
    }

    public var description: String {
        errors.sorted(by: ConfigError.precedes).map(\.description).joined(separator: "\n")
    }
}

/// A place in a file: where a YAML node starts.
struct Position: Sendable, Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int

    /// The start of a file, for problems that belong to the file as a whole.
    static func start(of file: String) -> Position { Position(file: file, line: 1, column: 1) }

    var description: String { "\(file):\(line):\(column)" }
}
