namespace MergeTrain.Application.Repositories;

/// <summary>
/// Shares fetches between callers: a caller needs a fetch that started after it asked (so that
/// it sees whatever was pushed before its webhook), not a fetch of its own. While one fetch runs,
/// everyone who asks waits for a single next one; a burst of N hooks costs two fetches, not N.
/// </summary>
public sealed class FetchCoalescer(Action fetch)
{
    private readonly Lock _gate = new();
    private Task? _current;
    private Task? _queued;

    /// <summary>Completes when a fetch that started after this call has finished.</summary>
    public Task FetchAsync()
    {
        lock (_gate)
        {
            if (_current is null || _current.IsCompleted)
            {
                _current = Task.Run(fetch);
                return _current;
            }

            // The running fetch may have started before what this caller needs to see.
            return _queued ??= RunAfterAsync(_current);
        }
    }

    private async Task RunAfterAsync(Task previous)
    {
        // Forced to yield, so the caller has stored this task as _queued (under the lock) before it is read here.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        lock (_gate)
        {
            _current = _queued;
            _queued = null;
        }

        await Task.Run(fetch);
    }
}
