using System.Diagnostics;
using System.Net;
using System.Text;

namespace MergeTrain.Server.Benchmarks;

/// <summary>Real HTTP POSTs of GitLab's Merge Request Hook payloads, each a new event, from concurrent senders.</summary>
internal static class WebhookThroughput
{
    public sealed record Result(int Deliveries, int Concurrency, double Seconds, IReadOnlyList<double> LatenciesMs)
    {
        public double PerSecond => Deliveries / Seconds;
    }

    public static async Task<Result> MeasureAsync(Uri server, IReadOnlyList<string> bodies, int deliveries, int concurrency)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }) { BaseAddress = server };
        var latencies = new double[deliveries];
        var next = -1;
        var total = Stopwatch.StartNew();
        var senders = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < deliveries)
            {
                using var request = Delivery(bodies[index % bodies.Count]);
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                latencies[index] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    throw new InvalidOperationException($"delivery {index} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        })).ToList();
        await Task.WhenAll(senders);
        total.Stop();
        return new Result(deliveries, concurrency, total.Elapsed.TotalSeconds, latencies);
    }

    /// <summary>A delivery as GitLab sends it: its headers, a new event UUID and idempotency key each time.</summary>
    private static HttpRequestMessage Delivery(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("User-Agent", "GitLab/17.8.0");
        request.Headers.Add("X-Gitlab-Event", "Merge Request Hook");
        request.Headers.Add("X-Gitlab-Token", BenchmarkWorld.WebhookSecret);
        request.Headers.Add("X-Gitlab-Event-UUID", Guid.NewGuid().ToString());
        request.Headers.Add("X-Gitlab-Webhook-UUID", Guid.NewGuid().ToString());
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return request;
    }
}
