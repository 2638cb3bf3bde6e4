import Dispatch

/// Where blocking libcurl transfers run, off Swift's cooperative thread pool.
///
/// A concurrent queue, so one slow endpoint holds up only its own attempt; the dispatcher
/// bounds how many attempts run at once.
enum CurlQueue {
    private static let queue = DispatchQueue(label: "vakt.notify.curl", attributes: .concurrent)

    /// Runs a blocking transfer on the queue; cancelling the calling task sets the flag it is
    /// handed, which aborts the transfer.
    static func run<Value: Sendable>(
        _ body: @escaping @Sendable (CancellationFlag) throws(CurlError) -> Value
    ) async -> Result<Value, CurlError> {
        let flag = CancellationFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                queue.async {
                    do throws(CurlError) {
                        continuation.resume(returning: .success(try body(flag)))
                    } catch {
                        continuation.resume(returning: .failure(error))
                    }
                }
            }
        } onCancel: {
            flag.cancel()
        }
    }

    /// Performs `post` on the queue and returns its outcome. Cancelling the calling task
    /// aborts the transfer (within about a second) with `CurlError.abortedByCallback`.
    static func perform(_ post: HTTPPost) async -> Result<HTTPPost.Response, CurlError> {
        await run { flag throws(CurlError) in try post.perform(cancellation: flag) }
    }
}
