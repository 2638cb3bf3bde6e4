/// The site a notification comes from, as a receiver sees it.
public struct SiteInfo: Sendable, Equatable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}
