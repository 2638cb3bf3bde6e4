import VaktCore

extension SiteReader {
    /// `proof: {max_age, profiles: {PROFILE: DURATION}, test_policy, max_test_duration}`: how old
    /// the proof that a device's chain works may get, and how chain tests run. Absent: proof
    /// ages are shown (`vakt proof`) but never alarmed, and there is no test mode.
    func readProof() -> ProofSettings {
        var settings = ProofSettings()
        guard let value = sections["proof"],
            let fields = value.fields(
                allowed: ["max_age", "profiles", "test_policy", "max_test_duration"], diagnostics)
        else { return settings }
        if let item = fields["max_age"] { settings.maxAge = item.positiveDuration(diagnostics) }
        settings.testPolicy = reference(.policy, "test_policy", in: fields)
        if let item = fields["max_test_duration"], let seconds = item.positiveDuration(diagnostics) {
            settings.maxTestDuration = seconds
        }
        if let item = fields["profiles"] {
            guard case .mapping(let mapping) = item.node else {
                item.reportType("a mapping of device profile ids to durations", diagnostics)
                return settings
            }
            for (keyNode, valueNode) in mapping {
                let key = YAMLValue(node: keyNode, file: item.file, path: item.path)
                guard let profile = key.nonEmptyString(diagnostics) else { continue }
                registry.refer(.profile, profile, at: key)
                // 0 turns proof alarms off for the profile (a model that is tested another way).
                if let seconds = item.child(profile, valueNode).duration(diagnostics) {
                    settings.byProfile[profile] = seconds
                }
            }
        }
        return settings
    }
}
