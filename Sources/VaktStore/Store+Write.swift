import GRDB

extension Store {
    /// Runs `body` in one `BEGIN IMMEDIATE` transaction on the writer, committing when it
    /// returns and rolling back when it throws.
    ///
    /// IMMEDIATE takes SQLite's write lock up front. Another process writing the same file
    /// (a second hub by mistake, a maintenance tool) then makes this wait for the busy timeout
    /// instead of failing half-way with `SQLITE_BUSY` after it has read the audit chain head.
    ///
    /// - Throws: Whatever `body` throws; `DatabaseError`; `StoreError.Code.diskFull`.
    func writeTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        try StoreError.wrappingDiskFull(path: path) {
            try pool.writeWithoutTransaction { db in
                var value: T?
                try db.inTransaction(.immediate) {
                    value = try body(db)
                    return .commit
                }
                // inTransaction returns only after `.commit` succeeded, which set `value`.
                return value!
            }
        }
    }
}
