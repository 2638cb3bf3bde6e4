/// Whatever staff send on `vakt/<site>/commands/<staff>` to change something: a silence, test
/// mode, or an action on an alarm (timeline queries change nothing and are not among them).
public enum StaffRequest {
    /// A parsed request: the engine's input, the request id, and its kind for the event log.
    public typealias Parsed = (input: Input, id: String, kind: String)

    /// Parses one request; a payload that is none of them is refused with the command
    /// parser's reason.
    public static func parse(_ bytes: [UInt8], staff: String) -> Result<Parsed, CommandPayload.Problem> {
        if let request = SilenceRequest.parse(bytes, staff: staff) {
            return request.map { (.silence($0), $0.id, "command.silence") }
        }
        if let request = TestModeRequest.parse(bytes, staff: staff) {
            return request.map { (.testMode($0), $0.id, $0.seconds == nil ? "command.test-end" : "command.test-start") }
        }
        return CommandPayload.parse(bytes, staff: staff).map { (.command($0), $0.id, "command.\($0.action.rawValue)") }
    }
}
