import VaktCore

/// The outcome of ``Store/commit(event:session:apply:)``.
public enum CommitResult: Sendable, Equatable {
    /// The event's key was already in the log: nothing was written and the engine did not run.
    case duplicate
    /// The event (if any) and these effects, as the engine returned them, are on disk.
    case committed([Effect])
}
