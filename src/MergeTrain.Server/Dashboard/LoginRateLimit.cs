using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace MergeTrain.Server.Dashboard;

/// <summary>
/// Limits login attempts per client address (<see cref="DashboardSessionOptions.LoginAttemptsPerMinute"/>,
/// a fixed one-minute window, right or wrong attempts alike), so that tokens cannot be guessed at
/// speed. More are answered 429 with a Retry-After. Behind a proxy the address is the client's only
/// when forwarded headers are configured; otherwise every client shares the proxy's allowance.
/// </summary>
internal static class LoginRateLimit
{
    /// <summary>The rate limiter policy the login endpoint requires.</summary>
    public const string Policy = "dashboard-login";

    /// <summary>Registers the rate limiter with the login policy.</summary>
    public static IServiceCollection AddLoginRateLimit(this IServiceCollection services) =>
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }

                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync("Too many login attempts from this address; wait a minute and try again.", cancellationToken);
            };
            limiter.AddPolicy(Policy, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<DashboardSessionOptions>>().Value.LoginAttemptsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, perMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
        });
}
