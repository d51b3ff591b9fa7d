using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using MergeTrain.FakeGitLab;
using MergeTrain.Server.Tests.EndToEnd;
using Npgsql;

namespace MergeTrain.Server.Tests.Chaos;

/// <summary>
/// The moving parts of one chaos run: adds MRs to the train through whichever instance answers,
/// deals out the plan's kills, measures how long the surviving instance takes to pick up the
/// work of a killed one, and keeps a journal of what it did, for the summary and for a failure.
/// </summary>
internal sealed class ChaosRun(ChaosPlan plan, KillableDatabase database, FakeGitLab.FakeGitLab gitLab)
{
    private readonly ConcurrentQueue<string> _journal = new();
    private readonly ConcurrentBag<Task<TimeSpan?>> _measurements = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<KillKind, int> _kills = new() { [KillKind.Service] = 0, [KillKind.Database] = 0, [KillKind.Both] = 0 };
    private int _databaseKills;
    private int _addAnswers500;
    private int _addAnswers503;

    public List<ServiceInstance> Instances { get; } = [];

    /// <summary>Takeover times measured after kills of one instance while the other ran.</summary>
    public List<TimeSpan> Takeovers { get; } = [];

    /// <summary>Adds every planned MR in order, each through a live instance, pausing between adds.</summary>
    public async Task AddAllAsync(IReadOnlyDictionary<int, FakeMergeRequest> opened)
    {
        foreach (var planned in plan.MergeRequests)
        {
            await AddAsync(opened[planned.Index].Iid);
            await Task.Delay(plan.NextAddPause());
        }

        Note("all MRs added");
    }

    /// <summary>
    /// Kills until <paramref name="adding"/> is done and at least <paramref name="minimumKills"/>
    /// kills were dealt, each followed by a random down time and a restart.
    /// </summary>
    public async Task KillUntilAsync(Task adding, int minimumKills)
    {
        var kills = 0;
        // Capped, for the CI budget: adds wait while the database is down, so a seed with many
        // database kills would otherwise go on killing for as long as it keeps the adds waiting.
        while ((!adding.IsCompleted || kills < minimumKills) && kills < 2 * minimumKills)
        {
            await Task.Delay(plan.NextPause());
            var kind = plan.NextKill();
            var downTime = plan.NextDownTime();
            switch (kind)
            {
                case KillKind.Service:
                    await KillServiceAsync(Instances[plan.NextInstance()], downTime);
                    break;
                case KillKind.Database:
                    await KillDatabaseAsync([], downTime);
                    break;
                default:
                    await KillDatabaseAsync(plan.BothInstances() ? Instances : [Instances[plan.NextInstance()]], downTime);
                    break;
            }

            _kills[kind]++;
            kills++;
        }

        Note($"kills over: {kills}");
    }

    /// <summary>Every part running and ready, for the end of the run.</summary>
    public async Task BringEverythingUpAsync()
    {
        if (!database.IsRunning)
        {
            await database.RestartAsync();
        }

        foreach (var instance in Instances)
        {
            instance.Start();
        }

        foreach (var instance in Instances)
        {
            await TrainWorld.WaitUntilAsync(instance.IsReadyAsync, $"instance {instance.Name} to be ready after the kills", TimeSpan.FromSeconds(90));
        }

        foreach (var measurement in _measurements)
        {
            if (await measurement is { } time)
            {
                Takeovers.Add(time);
            }
        }
    }

    /// <summary>Waits until every MR is merged in GitLab or its car dropped, and nothing is left to do.</summary>
    public async Task WaitUntilTrainFinishedAsync(IReadOnlyDictionary<int, FakeMergeRequest> opened, TimeSpan limit)
    {
        var iids = opened.Values.Select(m => m.Iid).ToList();
        string last = "";
        try
        {
            await TrainWorld.WaitUntilAsync(
                async () =>
                {
                    var unmerged = iids.Where(iid => gitLab.GetMergeRequest(TrainWorld.ProjectId, iid).State != MergeRequestStates.Merged).ToList();
                    var open = await ScalarAsync("SELECT count(*) FROM cars WHERE finished_at IS NULL");
                    var work = await ScalarAsync("SELECT (SELECT count(*) FROM work_requests) + (SELECT count(*) FROM train_effects WHERE state <> 'done')");
                    last = $"{iids.Count - unmerged.Count} merged, {open} cars on the train, {work} work requests and effects left";
                    return open == 0 && work == 0;
                },
                "the train to finish",
                limit);
        }
        catch (TimeoutException error)
        {
            throw new TimeoutException($"{error.Message} Last seen: {last}", error);
        }

        Note($"train finished: {last}");
    }

    public string Summary(ChaosSummary result, TimeSpan elapsed)
    {
        var takeovers = Takeovers.Count == 0
            ? "none measured"
            : $"{Takeovers.Count} measured, median {Median(Takeovers).TotalSeconds:F1} s, max {Takeovers.Max().TotalSeconds:F1} s";
        return $"chaos seed {plan.Seed}: {_kills.Values.Sum()} kills survived (service {_kills[KillKind.Service]}, database {_kills[KillKind.Database]}, "
            + $"both {_kills[KillKind.Both]}); {result.Merged} MRs merged, {result.Removed} removed with a note ({result.Failed} failed pipelines, "
            + $"{result.Conflicted} conflicts); {result.TargetMoves} target moves, all fast-forward; {result.CarPipelines} car pipelines; "
            + $"takeover after an instance kill: {takeovers}; adds answered 503: {_addAnswers503}, other 5xx: {_addAnswers500}; "
            + $"good MRs dropped behind a failing car and added again: {ReAdded.Count}; run {elapsed.TotalSeconds:F0} s";
    }

    /// <summary>Good MRs dropped because their pipeline ran behind a failing car, added again (iids).</summary>
    public List<long> ReAdded { get; } = [];

    /// <summary>5xx answers to adds other than 503 (the database down): each is a bug.</summary>
    public int AddAnswers500 => _addAnswers500;

    /// <summary>
    /// A car behind a failing one holds the failing change too: when its pipeline's failure is
    /// decided first (the failing car's hook was lost to a kill and its result comes from the
    /// poller later, or its pipeline is simply faster), SPEC says the car is dropped, as GitLab
    /// does. Its developer would add it again; so does the run, for those MRs only: a good MR
    /// dropped for any other reason is left dropped, and fails the invariants.
    /// </summary>
    public async Task<int> AddCollateralDropsAgainAsync(ChaosPlan plan, IReadOnlyDictionary<int, FakeMergeRequest> opened, string repository)
    {
        var failingHeads = plan.MergeRequests.Where(m => m.Fate == Fate.FailsPipeline).Select(m => opened[m.Index].Sha).ToList();
        var again = 0;
        foreach (var planned in plan.MergeRequests.Where(m => m.Fate == Fate.Merges))
        {
            var mr = gitLab.GetMergeRequest(TrainWorld.ProjectId, opened[planned.Index].Iid);
            if (mr.State == MergeRequestStates.Merged || ReAdded.Contains(mr.Iid))
            {
                continue;
            }

            var behindFailing = false;
            foreach (var pipeline in gitLab.Pipelines.Where(p => p.Ref == $"merge-train/main/{mr.Iid}" && p.Status == PipelineStatuses.Failed))
            {
                foreach (var head in failingHeads)
                {
                    behindFailing |= await GitLog.IsAncestorAsync(repository, head, pipeline.Sha);
                }
            }

            if (behindFailing && await ScalarAsync($"SELECT count(*) FROM cars WHERE iid = {mr.Iid} AND drop_reason = 'pipeline_failed'") == 1)
            {
                Note($"!{mr.Iid} was dropped behind a failing car; adding it again");
                ReAdded.Add(mr.Iid);
                await AddAsync(mr.Iid, again: true);
                again++;
            }
        }

        return again;
    }

    public string Journal() => "---- chaos journal ----\n" + string.Join('\n', _journal);

    /// <summary>Adds the MR through a live instance; <paramref name="again"/>: it was dropped before, and is on the train only once its car is active again.</summary>
    private async Task AddAsync(long iid, bool again = false)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            foreach (var instance in Instances.OrderBy(_ => Random.Shared.Next()).Where(i => i.IsRunning))
            {
                try
                {
                    // Looked up first: an add whose answer a kill swallowed must not add the MR twice.
                    using (var car = await instance.Api.GetAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{iid}?include_dropped=true"))
                    {
                        if (car.IsSuccessStatusCode
                            && !(again && JsonDocument.Parse(await car.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString() == "dropped"))
                        {
                            return;
                        }
                    }

                    using var added = await instance.Api.PostAsync($"/api/v4/projects/{TrainWorld.ProjectId}/merge_trains/merge_requests/{iid}", null);
                    if (added.StatusCode == HttpStatusCode.Created)
                    {
                        Note($"added !{iid} through {instance.Name}");
                        return;
                    }

                    // 503 is the right answer while the database is down; anything else 5xx is a bug.
                    if (added.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref _addAnswers503);
                    }
                    else if ((int)added.StatusCode >= 500)
                    {
                        Interlocked.Increment(ref _addAnswers500);
                        Note($"add of !{iid} through {instance.Name}: {(int)added.StatusCode} {await added.Content.ReadAsStringAsync()}");
                    }
                }
                catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
                {
                    // Killed under us: the other instance, or this one once restarted.
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"!{iid} could not be added in two minutes");
            }

            await Task.Delay(200);
        }
    }

    private async Task KillServiceAsync(ServiceInstance instance, TimeSpan downTime)
    {
        var other = Instances.Single(i => i != instance);
        var measure = database.IsRunning && other.IsRunning;
        var held = measure ? await TakenWorkAsync() : [];
        var killedAt = DateTimeOffset.UtcNow;
        await instance.KillAsync();
        Note($"SIGKILL service {instance.Name}; down for {downTime.TotalMilliseconds:F0} ms; work taken at the kill: {held.Count}");
        if (held.Count > 0)
        {
            var databaseKillsBefore = _databaseKills;
            _measurements.Add(MeasureTakeoverAsync(held, killedAt, () => _databaseKills != databaseKillsBefore));
        }

        await Task.Delay(downTime);
        instance.Start();
    }

    private async Task KillDatabaseAsync(List<ServiceInstance> alsoKilled, TimeSpan downTime)
    {
        Interlocked.Increment(ref _databaseKills);
        await Task.WhenAll([database.KillAsync(), .. alsoKilled.Select(i => i.KillAsync())]);
        Note($"SIGKILL database{string.Concat(alsoKilled.Select(i => " and service " + i.Name))}; down for {downTime.TotalMilliseconds:F0} ms");
        await Task.Delay(downTime);
        // The services first, half of the time: they must wait for a database that is not there yet.
        if (alsoKilled.Count > 0 && downTime.TotalMilliseconds % 2 < 1)
        {
            foreach (var instance in alsoKilled)
            {
                instance.Start();
            }
        }

        await database.RestartAsync();
        Note("database restarted");
        foreach (var instance in alsoKilled)
        {
            instance.Start();
        }
    }

    /// <summary>The work requests a run had taken (and not finished) just before a kill.</summary>
    private async Task<List<(string Kind, long Key)>> TakenWorkAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT kind, key FROM work_requests WHERE taken_at IS NOT NULL AND failed_at IS NULL", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var held = new List<(string, long)>();
            while (await reader.ReadAsync())
            {
                held.Add((reader.GetString(0), reader.GetInt64(1)));
            }

            return held;
        }
        catch (NpgsqlException)
        {
            return [];
        }
    }

    /// <summary>
    /// The time until every request taken before the kill is finished or taken again by a live
    /// run; null when the database was killed meanwhile (the figure would measure that instead).
    /// </summary>
    private async Task<TimeSpan?> MeasureTakeoverAsync(List<(string Kind, long Key)> held, DateTimeOffset killedAt, Func<bool> databaseKilled)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (databaseKilled())
            {
                return null;
            }

            try
            {
                await using var connection = new NpgsqlConnection(database.ConnectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(
                    "SELECT count(*) FROM work_requests WHERE (kind, key) IN (SELECT * FROM unnest(@kinds, @keys)) AND taken_at < @killedAt", connection);
                command.Parameters.AddWithValue("kinds", held.Select(h => h.Kind).ToArray());
                command.Parameters.AddWithValue("keys", held.Select(h => h.Key).ToArray());
                command.Parameters.AddWithValue("killedAt", killedAt);
                if ((long)(await command.ExecuteScalarAsync())! == 0)
                {
                    var time = DateTimeOffset.UtcNow - killedAt;
                    Note($"takeover after the kill at {killedAt:HH:mm:ss.fff}: {time.TotalSeconds:F1} s");
                    return databaseKilled() ? null : time;
                }
            }
            catch (NpgsqlException)
            {
                // The database is being killed: the next round returns null.
            }

            await Task.Delay(100);
        }

        Note($"no takeover within 90 s of the kill at {killedAt:HH:mm:ss.fff}");
        return TimeSpan.FromSeconds(90);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private void Note(string line) => _journal.Enqueue($"{_clock.Elapsed.TotalSeconds,7:F1} s  {line}");

    private static TimeSpan Median(List<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
