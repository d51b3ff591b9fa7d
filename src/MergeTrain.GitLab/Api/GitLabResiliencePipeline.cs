using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace MergeTrain.GitLab.Api;

/// <summary>
/// The resilience pipeline around every GitLab request, outermost first: a total timeout, retries
/// of what is safe to repeat (<see cref="Repeat"/>), and a per-attempt timeout.
/// </summary>
internal static class GitLabResiliencePipeline
{
    /// <summary>The pipeline's name under the typed client's.</summary>
    public const string Name = "gitlab";

    /// <summary>Adds the strategies to <paramref name="builder"/>.</summary>
    /// <param name="builder">The pipeline the resilience handler runs each request through.</param>
    /// <param name="options">Attempts, delays and timeouts.</param>
    /// <param name="clock">Measures a <c>Retry-After</c> date (the waits themselves run on the builder's clock).</param>
    /// <param name="logger">Receives one warning per retry (never the token).</param>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, GitLabClientOptions options, TimeProvider clock, ILogger logger)
    {
        builder.AddTimeout(options.TotalTimeout);
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(Retry(options, clock, logger));
        }

        builder.AddTimeout(options.AttemptTimeout);
    }

    private static HttpRetryStrategyOptions Retry(GitLabClientOptions options, TimeProvider clock, ILogger logger)
    {
        var retry = new HttpRetryStrategyOptions
        {
            // The package's own Retry-After reading is replaced by one capped at MaxDelay and measured
            // on the injected clock (DelayGenerator below).
            ShouldRetryAfterHeader = false,
            MaxRetryAttempts = options.MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.BaseDelay,
            MaxDelay = options.MaxDelay,

            // A request that is not a GitLabCall's is never repeated: nothing says it is safe.
            ShouldHandle = args => ValueTask.FromResult(
                GitLabCall.Of(args.Context.GetRequestMessage()) is { } call
                && GitLabFailure.ShouldRetry(args.Outcome, call.Repeat)),
            DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, options.MaxDelay, clock)),
            OnRetry = args => LogRetryAsync(args, options.MaxAttempts, logger),
        };
        if (options.JitterSeed is { } seed)
        {
            var random = new Random(seed);
            var gate = new Lock();
            retry.Randomizer = () =>
            {
                lock (gate)
                {
                    return random.NextDouble();
                }
            };
        }

        return retry;
    }

    /// <summary>
    /// The wait GitLab asked for in <c>Retry-After</c> (seconds or a date), capped by
    /// <paramref name="maxDelay"/>; null leaves the delay to the exponential backoff.
    /// </summary>
    private static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan maxDelay, TimeProvider clock)
    {
        var header = response?.Headers.RetryAfter;
        TimeSpan? asked = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - clock.GetUtcNow(),
            _ => null,
        };
        if (asked is not { } wait)
        {
            return null;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait > maxDelay ? maxDelay : wait;
    }

    private static async ValueTask LogRetryAsync(OnRetryArguments<HttpResponseMessage> args, int maxAttempts, ILogger logger)
    {
        if (GitLabCall.Of(args.Context.GetRequestMessage()) is not { } call)
        {
            return;
        }

        var failure = args.Outcome.Result is { } response
            ? await GitLabFailure.DescribeAsync(response, call, args.Context.CancellationToken)
            : GitLabFailure.Describe(args.Outcome.Exception!, call);
        logger.LogWarning(
            args.Outcome.Exception,
            "GitLab call {Call} attempt {Attempt} of {MaxAttempts} failed ({Failure}); retrying in {DelayMs} ms",
            call.Name,
            args.AttemptNumber + 1,
            maxAttempts,
            failure,
            (long)args.RetryDelay.TotalMilliseconds);
    }
}
