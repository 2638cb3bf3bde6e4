/// A room or flat where a resident lives.
public struct Room: Sendable, Equatable, Identifiable {
    public var id: String
    public var name: String
    /// Free-form tags that rules can match on (e.g. `ground-floor`).
    public var tags: [String]

    public init(id: String, name: String, tags: [String] = []) {
        self.id = id
        self.name = name
        self.tags = tags
    }
}
