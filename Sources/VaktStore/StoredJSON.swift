import Foundation

/// The JSON kept in `json` columns: Codable values as JSONEncoder writes them.
///
/// Dates use JSONEncoder's default (seconds since 2001 as a shortest-round-trip double), so an
/// `Alarm` or a timer comes back equal bit for bit, which the REAL unix-seconds columns beside
/// it cannot promise. Those columns are for queries; these are the truth.
enum StoredJSON {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes a `json` column, naming the table and row when it does not decode.
    static func decode<T: Decodable>(_ type: T.Type, _ text: String, table: String, id: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(.corruptRow, "\(table) row \(id) holds JSON that does not decode: \(error)")
        }
    }
}
