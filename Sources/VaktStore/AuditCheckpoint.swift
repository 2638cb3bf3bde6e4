import Foundation

/// The audit chain's head, written down outside the database (a file, a retained MQTT
/// message): a later `vakt audit verify` that finds the log ending before `seq`, or record
/// `seq` carrying another hash, knows records were cut off or rewritten.
///
/// JSON: `{"site": "marker", "seq": 1234, "hash": "…", "written_at": "2026-11-27T02:00:00.000Z"}`.
public struct AuditCheckpoint: Sendable, Equatable, Codable {
    public var site: String
    public var seq: Int
    public var hash: String
    /// When the checkpoint was written.
    public var writtenAt: Date

    public init(site: String, seq: Int, hash: String, writtenAt: Date) {
        self.site = site
        self.seq = seq
        self.hash = hash
        self.writtenAt = UTCMilliseconds.truncate(writtenAt)
    }

    enum CodingKeys: String, CodingKey {
        case site, seq, hash
        case writtenAt = "written_at"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        site = try container.decode(String.self, forKey: .site)
        seq = try container.decode(Int.self, forKey: .seq)
        hash = try container.decode(String.self, forKey: .hash)
        let text = try container.decode(String.self, forKey: .writtenAt)
        guard let date = UTCMilliseconds.date(from: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: .writtenAt, in: container, debugDescription: "not an RFC 3339 time: \(text)")
        }
        writtenAt = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(site, forKey: .site)
        try container.encode(seq, forKey: .seq)
        try container.encode(hash, forKey: .hash)
        try container.encode(UTCMilliseconds.string(writtenAt), forKey: .writtenAt)
    }

    /// The checkpoint as one line of JSON with sorted keys.
    public func json() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding four plain fields cannot fail.
        return (try? encoder.encode(self)) ?? Data()
    }

    /// The checkpoint file's name in the data directory, when the config names no other file.
    public static let defaultFileName = "audit-checkpoint.json"

    /// Where the checkpoint is kept: the configured file (`audit.checkpoint_file`), else
    /// ``defaultFileName`` in the data directory.
    public static func file(configured: String?, dataDirectory: String) -> String {
        configured ?? (dataDirectory as NSString).appendingPathComponent(defaultFileName)
    }

    /// Reads a checkpoint file; throws with a sentence naming the file otherwise.
    public static func read(file: String) throws -> AuditCheckpoint {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw StoreError(.corruptRow, "cannot read the checkpoint file \(file): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(AuditCheckpoint.self, from: data)
        } catch {
            throw StoreError(.corruptRow, "the checkpoint file \(file) is not a Vakt audit checkpoint: \(error)")
        }
    }

    /// Writes the checkpoint to `file` atomically (a temporary file, fsync, rename), so a
    /// crash leaves the old checkpoint or the new one, never half of one.
    public func write(file: String) throws {
        let directory = (file as NSString).deletingLastPathComponent
        let temporary = ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(
            ".\((file as NSString).lastPathComponent).tmp")
        let data = json() + Data("\n".utf8)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw StoreError(
                .cannotCreateDirectory,
                "cannot write the checkpoint file \(temporary): \(String(cString: strerror(errno)))")
        }
        let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0 else {
            unlink(temporary)
            if errno == ENOSPC {
                throw StoreError(.diskFull, "the disk holding \(file) is full: the checkpoint was not written")
            }
            throw StoreError(
                .cannotCreateDirectory, "cannot write the checkpoint file \(file): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, file) == 0 else {
            unlink(temporary)
            throw StoreError(
                .cannotCreateDirectory,
                "cannot replace the checkpoint file \(file): \(String(cString: strerror(errno)))")
        }
    }
}
