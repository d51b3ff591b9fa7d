using System.Diagnostics;
using MediatR;
using Microsoft.Extensions.Logging;

namespace MergeTrain.Application.Mediation;

/// <summary>Logs every request with how long it took, and its failure if it failed.</summary>
public sealed class LoggingBehavior<TRequest, TResponse>(ILogger<LoggingBehavior<TRequest, TResponse>> logger) : IPipelineBehavior<TRequest, TResponse>
{
    /// <inheritdoc/>
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await next();
            logger.LogInformation("{Request} handled in {ElapsedMs:F1} ms", typeof(TRequest).Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            logger.LogWarning("{Request} failed after {ElapsedMs:F1} ms: {Reason}", typeof(TRequest).Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds, error.Message);
            throw;
        }
    }
}
