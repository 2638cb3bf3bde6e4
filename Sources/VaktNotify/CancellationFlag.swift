import CCurl
import Foundation

/// A flag a task sets when it is cancelled and a curl progress callback reads.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }
}

extension CancellationFlag {
    /// A libcurl progress callback (with the flag as its data) that aborts the transfer once
    /// the attempt's task has been cancelled.
    static let abortWhenCancelled: curl_xferinfo_callback = { clientp, _, _, _, _ in
        guard let clientp else { return 0 }
        return Unmanaged<CancellationFlag>.fromOpaque(clientp).takeUnretainedValue().isCancelled ? 1 : 0
    }
}
