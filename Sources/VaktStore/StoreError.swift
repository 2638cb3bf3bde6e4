import Foundation
import GRDB

/// An error from the store that is not SQLite's own (`DatabaseError` passes through unchanged).
///
/// A struct over a code, so codes can be added without breaking callers:
///
/// ```swift
/// do { try store.commit(event: record) { effects } }
/// catch StoreError.Code.diskFull { ... }
/// ```
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in a form to switch or match on.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The disk (or the database's size limit) is full: nothing was written.
        public static let diskFull = Code("disk-full")
        /// The data directory does not exist and cannot be created.
        public static let cannotCreateDirectory = Code("cannot-create-directory")
        /// A delivery attempt names a notification the outbox does not hold.
        public static let unknownNotification = Code("unknown-notification")
        /// A delivery attempt was made on a stale copy of its notification: the attempt is
        /// recorded already, or the notification was delivered or given up since.
        public static let staleAttempt = Code("stale-attempt")
        /// A stored row cannot be decoded (edited by hand, or written by a newer Vakt).
        public static let corruptRow = Code("corrupt-row")

        /// Lets `catch StoreError.Code.diskFull` match a thrown `StoreError`.
        public static func ~= (code: Code, error: any Error) -> Bool {
            (error as? StoreError)?.code == code
        }
    }

    public let code: Code
    /// A sentence for people; never holds secrets.
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Whether `error` says the store cannot write now, whatever is written (a full disk, an
    /// I/O error, a read-only or locked file, no memory), rather than that this one write is
    /// wrong. The first kind passes when the machine is mended; the second never does.
    public static func isResource(_ error: any Error) -> Bool {
        if let error = error as? StoreError { return error.code == .diskFull }
        guard let error = error as? DatabaseError else { return false }
        let resource: [ResultCode] = [
            .SQLITE_FULL, .SQLITE_IOERR, .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_READONLY, .SQLITE_CANTOPEN,
            .SQLITE_NOMEM, .SQLITE_PROTOCOL, .SQLITE_NOLFS, .SQLITE_PERM,
        ]
        return resource.contains(error.resultCode.primaryResultCode)
    }

    /// Runs `body`, turning SQLite's "database or disk is full" into a `StoreError`.
    ///
    /// Other errors, including every other `DatabaseError`, pass through unchanged.
    static func wrappingDiskFull<T>(path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw StoreError(
                .diskFull,
                "the disk holding \(path) is full: nothing was written; free space and the hub continues")
        }
    }
}
