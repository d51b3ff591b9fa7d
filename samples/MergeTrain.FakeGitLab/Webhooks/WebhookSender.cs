using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace MergeTrain.FakeGitLab.Webhooks;

/// <summary>
/// Delivers webhook events one at a time, in the order they happened, with GitLab's headers, and
/// records every delivery with the receiver's answer so tests can inspect and redeliver it.
/// </summary>
internal sealed class WebhookSender : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<FakeWebhook> _hooks = [];
    private readonly List<WebhookDelivery> _deliveries = [];
    private readonly Channel<Outgoing> _queue = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly TimeProvider _timeProvider;
    private readonly string _userAgent;
    private readonly Task _loop;
    private long _nextHookId = 1;
    private long _nextDeliveryId = 1;

    public WebhookSender(string gitLabVersion, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _userAgent = "GitLab/" + gitLabVersion;
        _loop = Task.Run(DeliverAllAsync);
    }

    /// <summary>The value of <c>X-Gitlab-Instance</c>; set once the server listens.</summary>
    public string Instance { get; set; } = "";

    /// <summary>When false, events are dropped (to exercise a receiver's polling fallback).</summary>
    public bool Enabled { get; set; } = true;

    public FakeWebhook Add(Uri url, string secretToken)
    {
        lock (_gate)
        {
            var hook = new FakeWebhook(_nextHookId++, url, secretToken);
            _hooks.Add(hook);

            return hook;
        }
    }

    public void Remove(FakeWebhook hook)
    {
        lock (_gate)
        {
            _hooks.RemoveAll(h => h.Id == hook.Id);
        }
    }

    public IReadOnlyList<WebhookDelivery> Deliveries()
    {
        lock (_gate)
        {
            return [.. _deliveries];
        }
    }

    /// <summary>Queues one event for every hook; the task completes once all of them were delivered (or failed).</summary>
    public Task SendAsync(string eventName, JsonObject payload)
    {
        if (!Enabled)
        {
            return Task.CompletedTask;
        }

        FakeWebhook[] hooks;
        lock (_gate)
        {
            hooks = [.. _hooks];
        }

        var body = payload.ToJsonString(GitLabJson.Options);
        // One event UUID for the event, shared by all hooks; a fresh idempotency key per hook,
        // kept on redelivery, as GitLab does for retries.
        var eventUuid = Guid.NewGuid().ToString();
        var sends = new List<Task>(hooks.Length);
        foreach (var hook in hooks)
        {
            var outgoing = new Outgoing(hook, eventName, body, eventUuid, Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), IsRedelivery: false);
            _queue.Writer.TryWrite(outgoing);
            sends.Add(outgoing.Done.Task);
        }

        return Task.WhenAll(sends);
    }

    /// <summary>Sends a past delivery again, byte for byte: same body, same UUIDs, same idempotency key.</summary>
    public Task<WebhookDelivery> RedeliverAsync(WebhookDelivery delivery)
    {
        var outgoing = new Outgoing(
            delivery.Hook, delivery.EventName, delivery.Body, delivery.EventUuid, delivery.WebhookUuid, delivery.IdempotencyKey, IsRedelivery: true);
        _queue.Writer.TryWrite(outgoing);

        return outgoing.Done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // A receiver that hangs must not hang the test run; the HTTP client is disposed below.
        }

        _http.Dispose();
    }

    private async Task DeliverAllAsync()
    {
        await foreach (var outgoing in _queue.Reader.ReadAllAsync())
        {
            var delivery = await DeliverAsync(outgoing);
            outgoing.Done.TrySetResult(delivery);
        }
    }

    private async Task<WebhookDelivery> DeliverAsync(Outgoing outgoing)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, outgoing.Hook.Url);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(outgoing.Body));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", _userAgent);
        request.Headers.Add("X-Gitlab-Event", outgoing.EventName);
        request.Headers.Add("X-Gitlab-Webhook-UUID", outgoing.WebhookUuid);
        request.Headers.Add("X-Gitlab-Instance", Instance);
        request.Headers.Add("X-Gitlab-Event-UUID", outgoing.EventUuid);
        request.Headers.Add("Idempotency-Key", outgoing.IdempotencyKey);
        if (outgoing.Hook.SecretToken.Length > 0)
        {
            request.Headers.Add("X-Gitlab-Token", outgoing.Hook.SecretToken);
        }

        var sentAt = _timeProvider.GetUtcNow();
        int? statusCode = null;
        string? error = null;
        try
        {
            using var response = await _http.SendAsync(request);
            statusCode = (int)response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            error = exception.Message;
        }

        lock (_gate)
        {
            var delivery = new WebhookDelivery(
                _nextDeliveryId++, outgoing.Hook, outgoing.EventName, outgoing.EventUuid, outgoing.WebhookUuid, outgoing.IdempotencyKey,
                outgoing.Body, sentAt, statusCode, error, outgoing.IsRedelivery);
            _deliveries.Add(delivery);

            return delivery;
        }
    }

    private sealed record Outgoing(
        FakeWebhook Hook, string EventName, string Body, string EventUuid, string WebhookUuid, string IdempotencyKey, bool IsRedelivery)
    {
        public TaskCompletionSource<WebhookDelivery> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
