/// What checking the audit chain found.
public enum AuditVerification: Sendable, Equatable {
    /// Every record's hash matches its content and links to the one before, with no gaps.
    /// `lastHash` is the chain head (64 zeros for an empty log): write it down to detect
    /// records cut off the end later.
    case intact(count: Int, lastHash: String)
    /// The first record that does not hold, and why.
    case broken(seq: Int, reason: String)
}

/// Checks audit records one at a time, in order, against the chain rules.
///
/// Used by ``Store/verifyAudit()`` over the whole table, and by anyone holding an export.
public struct AuditChainVerifier: Sendable {
    private var expectedSeq: Int?
    private var previousHash: String?
    public private(set) var count = 0

    /// A verifier for a whole log (the first record must be seq 1 chained to 64 zeros), or,
    /// with `fromGenesis: false`, for an excerpt that may start anywhere (`--since`): its
    /// first record's `prevHash` is then taken on trust.
    public init(fromGenesis: Bool = true) {
        if fromGenesis {
            expectedSeq = 1
            previousHash = AuditRecord.genesisHash
        }
    }

    /// The hash of the last record checked (64 zeros before the first).
    public var lastHash: String { previousHash ?? AuditRecord.genesisHash }

    /// A verifier for a log whose records before `seq` were pruned: the first record must be
    /// `seq`, chained to `previousHash` (the hash of the last record removed, as the
    /// `audit.pruned` record kept it).
    public init(startingAt seq: Int, previousHash: String) {
        expectedSeq = seq
        self.previousHash = previousHash
    }

    /// Checks the next record; returns why it breaks the chain, or `nil` when it holds.
    public mutating func check(_ record: AuditRecord) -> String? {
        check(seq: record.seq, prevHash: record.prevHash, hash: record.hash) { record.computedHash() == record.hash }
    }

    /// Checks the next record from its parts; `hashMatches` (does the hash match the content)
    /// is asked only when the links hold.
    mutating func check(seq: Int, prevHash: String, hash: String, hashMatches: () -> Bool) -> String? {
        if let expectedSeq, seq != expectedSeq {
            return seq > expectedSeq
                ? "record \(expectedSeq) is missing (found \(seq) after \(expectedSeq - 1))"
                : "record \(seq) is out of order (expected \(expectedSeq))"
        }
        if let previousHash, prevHash != previousHash {
            return "prev_hash does not match the hash of record \(seq - 1)"
        }
        if !hashMatches() {
            return "hash does not match the record's content"
        }
        expectedSeq = seq + 1
        previousHash = hash
        count += 1
        return nil
    }

    /// Checks `records` in order.
    public static func verify(_ records: some Sequence<AuditRecord>, fromGenesis: Bool = true) -> AuditVerification {
        var verifier = AuditChainVerifier(fromGenesis: fromGenesis)
        for record in records {
            if let reason = verifier.check(record) { return .broken(seq: record.seq, reason: reason) }
        }
        return .intact(count: verifier.count, lastHash: verifier.lastHash)
    }
}
