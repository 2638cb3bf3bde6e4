/// One message read from a serial line, independent of the format that framed it.
public enum SerialFrame: Sendable, Equatable {
    /// A Contact ID report passed on by an alarm receiver.
    case contactID(ContactIDMessage)
    /// A receiver's "I am still here" (Sur-Gard's `1011 ... @`): proof the link works.
    case heartbeat
    /// A `vakt-line` frame's fields, in no order; a key without `=` has the value `""`.
    case fields([String: String])
}

/// What a `LineDecoder` made of a run of bytes: a frame, or why the bytes were not one.
///
/// `raw` is the bytes as received, so a log can show what arrived, without the framing
/// around them: no idle noise (CR, LF, NUL, spaces between frames), no terminator (CR, LF,
/// DC4) and no Ademco start LF; a `vakt-line` frame keeps its `$`. For a rejection it holds
/// at most `LineDecoder.maximumFrameBytes` bytes, however long the run was; the reason says
/// how long.
public enum DecodedFrame: Sendable, Equatable {
    case frame(SerialFrame, raw: [UInt8])
    /// Bytes that were no valid frame: garbage between frames, or a frame that was malformed,
    /// too long or failed its checksum. The reason is a sentence for a log or an operator.
    case rejected(reason: String, raw: [UInt8])
}
