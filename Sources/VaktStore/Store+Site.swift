import Foundation
import GRDB
import VaktCore

extension Store {
    /// Remembers which site this database belongs to (`meta`: `site_id`, `site_name`,
    /// `site_time_zone`), so the CLI can show times in the site's zone without the config.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.diskFull`.
    public func recordSite(_ site: Site) throws {
        try setMeta([
            ("site_id", site.id), ("site_name", site.name), ("site_time_zone", site.timeZone.identifier),
        ])
    }

    /// Sets `meta` entries, replacing their values, in one transaction.
    ///
    /// - Throws: `DatabaseError`; `StoreError.Code.diskFull`.
    public func setMeta(_ entries: [(key: String, value: String)]) throws {
        try writeTransaction { db in try Self.setMeta(entries, db) }
    }

    /// Sets `meta` entries inside the caller's transaction.
    static func setMeta(_ entries: [(key: String, value: String)], _ db: Database) throws {
        for (key, value) in entries {
            try db.execute(
                sql:
                    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                arguments: [key, value])
        }
    }

    /// The site as ``recordSite(_:)`` left it: id, name and time zone only; `nil` if never recorded.
    ///
    /// - Throws: `DatabaseError`.
    public func siteStub() throws -> Site? {
        let meta = try self.meta()
        guard let id = meta["site_id"] else { return nil }
        let zone = meta["site_time_zone"].flatMap(TimeZone.init(identifier:)) ?? .current
        return Site(id: id, name: meta["site_name"] ?? id, timeZone: zone)
    }

    /// Every `meta` entry (`schema_version`, the site's id, ...).
    ///
    /// - Throws: `DatabaseError`.
    public func meta() throws -> [String: String] {
        try pool.read { db in
            var values: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") { values[row["key"]] = row["value"] }
            return values
        }
    }
}
