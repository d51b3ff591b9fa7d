namespace MergeTrain.GitLab.Webhooks;

/// <summary>A webhook delivery that cannot be understood: bad JSON, a missing field, or an unknown event kind (the endpoint answers 400).</summary>
public sealed class WebhookParseException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, naming the event and the field.</param>
    /// <param name="innerException">The JSON reader's error, if that is the cause.</param>
    public WebhookParseException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
