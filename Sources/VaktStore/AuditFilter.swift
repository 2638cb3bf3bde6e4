import Foundation
import VaktCore

/// Which audit records an export or report reads.
public struct AuditFilter: Sendable, Equatable {
    /// Only records at or after this instant.
    public var since: Date?
    /// Only records before this instant.
    public var until: Date?
    /// Only records about this resident: their alarms' records, and (with `room`) records
    /// naming their room (test mode started and ended there).
    public var resident: String?
    /// The resident's room.
    public var room: String?
    /// Only records of these actions (`nil`: all).
    public var actions: [AuditAction]?

    public init(
        since: Date? = nil, until: Date? = nil, resident: String? = nil, room: String? = nil,
        actions: [AuditAction]? = nil
    ) {
        self.actions = actions
        self.since = since
        self.until = until
        self.resident = resident
        self.room = room
    }
}
