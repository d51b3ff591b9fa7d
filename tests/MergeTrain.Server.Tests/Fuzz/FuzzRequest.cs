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
    /// Refused by Kestrel itself, before the pipeline sees it: over its header limits (32 KiB, 100
    /// headers; 431), a request line over 8 KiB (414) or a path with an encoded NUL (400). Kestrel then closes the connection, and a
    /// client still sending a body gets a broken pipe instead of the answer.
    /// </summary>
    public bool IsRefusedByKestrel =>
        Headers.Sum(h => h.Key.Length + h.Value.Length) >= 32 * 1024 || Headers.Count >= 90 || Path.Length >= 8000
        || Path.Contains("%00", StringComparison.OrdinalIgnoreCase);

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, new Uri(Path, UriKind.Relative));
        message.Headers.TryAddWithoutValidation(ServerErrorRecorder.RequestHeader, Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
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

/// <summary>
/// How the server answered one <see cref="FuzzRequest"/>: the status the client read, or, when the
/// connection broke first, what went wrong and the status the server recorded inside itself.
/// </summary>
internal sealed record FuzzOutcome(FuzzRequest Request, int? StatusCode, string? Failure, string? Body)
{
    /// <summary>For a request whose answer the client could not read: the status the server answered.</summary>
    public int? ServerStatus { get; init; }

    /// <summary>
    /// A 5xx, or no answer at all: the client read none, and the server recorded none either,
    /// unless Kestrel refused the request before the pipeline (<see cref="FuzzRequest.IsRefusedByKestrel"/>).
    /// </summary>
    public bool IsServerFailure => StatusCode >= 500 || ServerStatus >= 500 || (StatusCode is null && ServerStatus is null && !Request.IsRefusedByKestrel);

    public override string ToString() =>
        $"{Request} → {(StatusCode is { } status ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Failure} (server recorded {ServerStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"})")}"
        + (Body is { Length: > 0 } b ? $": {(b.Length > 300 ? b[..300] : b)}" : "");
}
