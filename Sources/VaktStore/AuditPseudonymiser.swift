import Crypto
import Foundation
import VaktCore

/// Turns audit records into records fit for quality work and research: people, rooms and
/// devices become keyed pseudonyms, free text goes.
///
/// A pseudonym is `p-` and the first 16 hex digits of HMAC-SHA256(site secret, id), so the
/// same resident has the same pseudonym across exports made with the same secret (a nuisance
/// ranking can still be read), and nobody without the secret can reverse it by trying names.
///
/// What stays as it was: `seq`, `at`, `action`, `alarm` (alarm numbers say nothing of a
/// person), `channel`, `result`, and detail keys from a fixed list of codes and counts
/// (``keptDetail``, and ``keptDetailByAction`` where a key holds a code only for some
/// actions). Actors, recipients and the detail keys of ``pseudonymisedDetail`` get
/// pseudonyms. Every other detail key (raw device payloads, notes staff typed, notification
/// keys that embed a recipient id) is left out. `prev_hash` and `hash` are left out too: a
/// pseudonymised record no longer matches its hash; the original log is the verifiable one.
public struct AuditPseudonymiser {
    private let key: SymmetricKey

    /// Detail keys copied unchanged, for every action: codes, counts and instants.
    public static let keptDetail: Set<String> = [
        "event", "severity", "rule", "tier", "round", "outcome", "repeats", "attempt", "test", "version",
        "open_alarms", "max_silence", "max_age", "config_sha256", "removed", "first_kept_seq", "before", "action",
        "reconciled", "minutes", "until", "wall_step_seconds", "late_seconds",
    ]
    /// Detail keys copied unchanged for some actions only, where they hold codes: elsewhere
    /// the same key holds free text (a `reason` quoting a device payload or a gateway's
    /// answer, a `from` naming a file).
    public static let keptDetailByAction: [String: Set<String>] = [
        "alarm.escalated": ["reason"],
        "alarm.upgraded": ["from", "to"],
        "clock.jumped": ["from", "to", "wall_step_seconds", "timers_moved", "timers_kept", "noticed"],
        // Counts of the configuration; elsewhere `devices` lists device ids.
        "config.loaded": ["devices", "rules"],
    ]
    /// Detail keys holding comma-separated lists of ids: each id gets its pseudonym.
    public static let pseudonymisedLists: Set<String> = ["devices"]
    /// Detail keys whose values are ids of people, rooms or devices.
    public static let pseudonymisedDetail: Set<String> = ["room", "resident", "device", "staff", "by", "source"]

    /// - Parameter secret: The site secret (at least 16 bytes, e.g. `openssl rand -hex 32`).
    /// - Throws: A `StoreError` when the secret is too short to key anything.
    public init(secret: Data) throws {
        let trimmed = Data(String(decoding: secret, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard trimmed.count >= 16 else {
            throw StoreError(
                .corruptRow,
                "the pseudonym secret is too short (\(trimmed.count) bytes); use at least 16, e.g. from `openssl rand -hex 32`"
            )
        }
        key = SymmetricKey(data: trimmed)
    }

    /// The pseudonym of one id.
    public func pseudonym(_ id: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(id.utf8), using: key)
        return "p-" + Hex.string(mac.prefix(8))
    }

    /// `staff:ola` → `staff:p-…`; `hub` stays `hub`.
    private func actor(_ actor: String) -> String {
        guard let colon = actor.firstIndex(of: ":") else { return actor }
        return String(actor[...colon]) + pseudonym(String(actor[actor.index(after: colon)...]))
    }

    /// The record with people, rooms and devices pseudonymised and free text removed; its
    /// `prevHash` and `hash` are empty.
    public func apply(_ record: AuditRecord) -> AuditRecord {
        var detail: [String: String] = [:]
        for (key, value) in record.detail {
            if Self.keptDetail.contains(key) || Self.keptDetailByAction[record.action]?.contains(key) == true {
                detail[key] = value
            } else if Self.pseudonymisedDetail.contains(key) {
                detail[key] = pseudonym(value)
            } else if Self.pseudonymisedLists.contains(key) {
                detail[key] = value.split(separator: ",").map { pseudonym(String($0)) }.joined(separator: ",")
            }
        }
        var out = record
        out.actor = actor(record.actor)
        out.recipient = record.recipient.map(pseudonym)
        out.detail = detail
        out.prevHash = ""
        out.hash = ""
        return out
    }
}
