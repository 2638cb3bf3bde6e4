import VaktCore

/// Builds the notifier for a configured channel.
public enum NotifierFactory {
    /// Returns the notifier for `channel`'s kind, with its secrets resolved.
    ///
    /// - Throws: `ChannelConfigurationError` when the channel's URL, headers or secrets are unusable.
    public static func make(channel: Channel, secrets: SecretResolver) throws(ChannelConfigurationError) -> any Notifier
    {
        switch channel.kind {
        case .webhook: try WebhookNotifier(channel: channel, secrets: secrets)
        case .sms: try SMSNotifier(channel: channel, secrets: secrets)
        case .ntfy: try NtfyNotifier(channel: channel, secrets: secrets)
        case .smtp: try SMTPNotifier(channel: channel, secrets: secrets)
        }
    }
}
