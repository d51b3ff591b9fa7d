namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// One generated request, as plain data so that it can be described, sent and sent again: the
/// description names the seed and index that rebuild it (<see cref="RequestFuzzer.Generate"/>).
/// </summary>
internal sealed record FuzzRequest(int Index, string Description, HttpMethod Method, string Path)
{
    /// <summary>Request headers, sent without validation so that odd values reach the server.</summary>
    public List<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The body's bytes; null for none.</summary>
    public byte[]? Body { get; init; }

    /// <summary>The raw <c>Content-Type</c> header, if any.</summary>
    public string? ContentType { get; init; }

    /// <summary>Sent chunked, without a <c>Content-Length</c>.</summary>
    public bool Chunked { get; init; }

    /// <summary>For webhook deliveries: the <c>X-Gitlab-Event-UUID</c> their rows can be found by, when the fuzzer kept it intact.</summary>
    public string? TrackedEventUuid { get; init; }

    /// <summary>A webhook delivery whose <c>X-Gitlab-Token</c> matches no project: nothing of it may be stored.</summary>
    public bool WrongSecret { get; init; }

    /// <summary>
    /// Over a limit at which Kestrel may answer before it has read the request and then close the
    /// connection (32 KiB or 100 headers; a large body to a route that does not read it): the client
    /// can see a broken pipe instead of the answer. Whether the server answered 5xx is recorded
    /// inside it (<see cref="ServerErrorRecorder"/>).
    /// </summary>
    public bool IsOversized =>
        (Body?.Length ?? 0) >= 1024 * 1024 || Headers.Sum(h => h.Key.Length + h.Value.Length) >= 32 * 1024 || Headers.Count >= 90;

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, new Uri(Path, UriKind.Relative));
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (Body is not null)
        {
            HttpContent content = Chunked ? new StreamContent(new MemoryStream(Body)) : new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }

            message.Content = content;
            if (Chunked)
            {
                message.Headers.TransferEncodingChunked = true;
            }
        }
        else if (ContentType is not null)
        {
            message.Content = new ByteArrayContent([]);
            message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }

        return message;
    }

    public override string ToString()
    {
        var body = Body is null ? "no body" : $"{Body.Length} bytes{(Chunked ? " chunked" : "")}";
        return $"{Description} [{Method} {Shorten(Path)}, {body}, Content-Type {Shorten(ContentType ?? "none")}]";
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : $"{text[..120]}…({text.Length} chars)";
}

/// <summary>How the server answered one <see cref="FuzzRequest"/>: a status, or what went wrong on the wire.</summary>
internal sealed record FuzzOutcome(FuzzRequest Request, int? StatusCode, string? Failure, string? Body)
{
    /// <summary>A 5xx, or no answer at all (the connection broke, the server stopped answering) to a request within Kestrel's limits.</summary>
    public bool IsServerFailure => StatusCode >= 500 || (StatusCode is null && !Request.IsOversized);

    public override string ToString() =>
        $"{Request} → {(StatusCode is { } status ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : Failure)}{(Body is { Length: > 0 } b ? $": {(b.Length > 300 ? b[..300] : b)}" : "")}";
}
