namespace MergeTrain.Server.Tests.Fuzz;

/// <summary>
/// The seeded request generator: request <c>i</c> of seed <c>s</c> comes from a <see cref="Random"/>
/// of its own, seeded by both, so any one request is rebuilt from the two numbers alone,
/// whatever the count or the order of sending.
/// </summary>
internal sealed class RequestFuzzer(WebhookRequests webhooks, ApiRequests api, DashboardRequests dashboard)
{
    /// <summary>Request <paramref name="index"/> of <paramref name="seed"/>: about half webhooks, a third API, the rest health, login and dashboard.</summary>
    public FuzzRequest Create(int seed, int index)
    {
        var random = new Random(unchecked((seed * 1_000_003) + index));
        var label = $"seed {seed} #{index}";
        return random.Next(100) switch
        {
            < 50 => webhooks.Create(random, index, label),
            < 82 => api.Create(random, index, label),
            _ => dashboard.Create(random, index, label),
        };
    }

    /// <summary>Requests 0 to <paramref name="count"/> - 1 of <paramref name="seed"/>.</summary>
    public IEnumerable<FuzzRequest> Generate(int seed, int count) => Enumerable.Range(0, count).Select(index => Create(seed, index));
}
