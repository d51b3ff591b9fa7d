using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Postgres.Jobs;

/// <summary>
/// Holds one connection in <c>LISTEN</c> on the jobs channel and wakes the worker when a job of
/// its queue becomes available. If the connection drops, it reconnects; polling covers the gap.
/// </summary>
internal sealed class JobNotificationListener(NpgsqlDataSource dataSource, string queue, WakeSignal wake, ILogger logger)
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(2);

    public async Task RunAsync(TaskCompletionSource listening, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, notification) =>
                {
                    if (notification.Payload == queue)
                    {
                        wake.Set();
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {JobStore.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }

                listening.TrySetResult();

                // Jobs may have arrived while we were not listening.
                wake.Set();
                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is NpgsqlException or IOException or TimeoutException)
            {
                logger.LogWarning("Job notifications lost ({Reason}); polling until reconnected", error.Message);
                await Task.Delay(ReconnectDelay, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
