using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MergeTrain.Postgres.Jobs;

/// <summary>
/// Records successful attempts in batches: while one UPDATE is on its way, the next completions
/// gather, so a busy worker writes one statement for many jobs. A crash before a batch is written
/// leaves those jobs running; the leader rescues and reruns them (handlers are idempotent).
/// </summary>
internal sealed class JobCompleter(NpgsqlDataSource dataSource, TimeProvider clock, ILogger logger)
{
    private const int MaxBatch = 500;
    private readonly Channel<(long Id, int Attempt)> _done = Channel.CreateUnbounded<(long Id, int Attempt)>(
        new UnboundedChannelOptions { SingleReader = true });

    public void Add(Job job) => _done.Writer.TryWrite((job.Id, job.Attempt));

    /// <summary>Stops taking completions once <see cref="Close"/> is called and writes what is left.</summary>
    public void Close() => _done.Writer.TryComplete();

    public async Task RunAsync()
    {
        var batch = new List<(long Id, int Attempt)>(MaxBatch);
        while (await _done.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _done.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            await WriteAsync(batch);
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<(long Id, int Attempt)> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await JobStore.CompleteAsync(connection, batch, clock.GetUtcNow(), CancellationToken.None);
                return;
            }
            catch (NpgsqlException error) when (attempt < 5)
            {
                logger.LogWarning("Recording {Count} completed job(s) failed ({Reason}); retrying", batch.Count, error.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
            catch (NpgsqlException error)
            {
                // Left running: the leader will rescue and rerun them once this server is gone.
                logger.LogError(error, "Could not record {Count} completed job(s)", batch.Count);
                return;
            }
        }
    }
}
