namespace MergeTrain.FakeGitLab.Git;

/// <summary>
/// Notices branch updates in the bare repositories, whoever made them (a <c>git push</c> from the
/// service, or a simulated user), by comparing each project's branch heads with the last ones seen.
/// Scans are serialised so one update is reported exactly once.
/// </summary>
internal sealed class RefWatcher(GitLabStore store, Func<ProjectEntry, IReadOnlyList<BranchMove>, IReadOnlyDictionary<string, string>, FakeUser, Task<IReadOnlyList<Task>>> onMoved) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<long, IReadOnlyDictionary<string, string>> _known = [];

    /// <summary>Records a project's branches as already seen (no hooks for the initial push).</summary>
    public async Task BaselineAsync(ProjectEntry entry, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _known[entry.Project.Id] = await entry.Repository.ListBranchesAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="change"/> with no scan in between, then scans and reports its updates as
    /// made by <paramref name="pusher"/>. Returns the change's result and the deliveries it caused.
    /// </summary>
    public async Task<(T Result, IReadOnlyList<Task> Deliveries)> ChangeAsync<T>(FakeUser pusher, Func<Task<T>> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var result = await change();
            var deliveries = await ScanCoreAsync(pusher, cancellationToken);

            return (result, deliveries);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<Task>> ScanAsync(FakeUser pusher, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await ScanCoreAsync(pusher, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<IReadOnlyList<Task>> ScanCoreAsync(FakeUser pusher, CancellationToken cancellationToken)
    {
        var deliveries = new List<Task>();
        foreach (var entry in store.Projects())
        {
            if (!_known.TryGetValue(entry.Project.Id, out var before))
            {
                continue;
            }

            var now = await entry.Repository.ListBranchesAsync(cancellationToken);
            var moves = new List<BranchMove>();
            foreach (var (branch, sha) in now)
            {
                var old = before.GetValueOrDefault(branch, BareRepository.ZeroSha);
                if (old != sha)
                {
                    moves.Add(new BranchMove(branch, old, sha));
                }
            }

            moves.AddRange(before.Where(b => !now.ContainsKey(b.Key)).Select(b => new BranchMove(b.Key, b.Value, BareRepository.ZeroSha)));
            if (moves.Count == 0)
            {
                continue;
            }

            _known[entry.Project.Id] = now;
            deliveries.AddRange(await onMoved(entry, moves, now, pusher));
        }

        return deliveries;
    }
}

/// <summary>One branch update: <c>Before</c> is all zeros for a new branch, <c>After</c> for a deleted one.</summary>
internal sealed record BranchMove(string Branch, string Before, string After);
