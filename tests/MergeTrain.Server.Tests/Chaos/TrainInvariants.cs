using MergeTrain.FakeGitLab;
using MergeTrain.Server.Tests.EndToEnd;
using Npgsql;
using Shouldly;

namespace MergeTrain.Server.Tests.Chaos;

/// <summary>What the chaos run found at the end, for its summary line.</summary>
internal sealed record ChaosSummary(int Merged, int Removed, int Failed, int Conflicted, int TargetMoves, int CarPipelines);

/// <summary>
/// The end state of a chaos run, checked against what the train owed its MRs whatever was killed:
/// the target moved only by fast-forward, onto commits whose own pipeline passed; every good MR
/// merged once, every bad one removed with the right note; no note twice; nothing left to do.
/// </summary>
internal sealed class TrainInvariants(FakeGitLab.FakeGitLab gitLab, string repository, string connectionString, string initialTarget)
{
    public async Task<ChaosSummary> CheckAsync(ChaosPlan plan, IReadOnlyDictionary<int, FakeMergeRequest> opened, IReadOnlyCollection<long> addedAgain)
    {
        var target = (await gitLab.GetBranchHeadAsync(TrainWorld.ProjectId, "main"))!;
        var pipelines = gitLab.Pipelines;
        var passed = pipelines.Where(p => p.Status == PipelineStatuses.Success).Select(p => p.Sha).ToHashSet(StringComparer.Ordinal);

        // 1. Every update of the target (the reflog of the fake's repository) was a fast-forward onto a tested commit.
        var moves = await TargetMovesAsync();
        moves.ShouldNotBeEmpty("the target moved");
        foreach (var (before, after) in moves)
        {
            (await GitLog.IsAncestorAsync(repository, before, after)).ShouldBeTrue($"the target moved from {before} to {after} by fast-forward");
            passed.ShouldContain(after, $"the target was moved to {after}, which had a passing pipeline on exactly that commit");
        }

        // 2. Every commit the target gained is a tested car commit, and each merges one MR.
        var history = await GitLog.FirstParentHistoryAsync(repository, target);
        var gained = history.TakeWhile(sha => sha != initialTarget).ToList();
        history.ShouldContain(initialTarget, "the target's history kept its start");
        var mergedBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var commit in gained)
        {
            passed.ShouldContain(commit, $"target commit {commit} had a passing pipeline on exactly that commit");
            var parents = await GitLog.ParentsAsync(repository, commit);
            parents.Count.ShouldBe(2, $"target commit {commit} is a car's merge commit");
            mergedBy.ContainsKey(parents[1]).ShouldBeFalse($"MR head {parents[1]} was merged twice");
            mergedBy[parents[1]] = commit;
        }

        // 3. Each MR's fate, from GitLab's side and the service's.
        var cars = await CarsAsync();
        var notesDecided = await NotesDecidedAsync();
        var summary = (merged: 0, failed: 0, conflicted: 0);
        foreach (var planned in plan.MergeRequests)
        {
            var mr = gitLab.GetMergeRequest(TrainWorld.ProjectId, opened[planned.Index].Iid);
            var carsOfMr = cars.Where(c => c.Iid == mr.Iid).ToList();
            carsOfMr.Count.ShouldBe(addedAgain.Contains(mr.Iid) ? 2 : 1, $"!{mr.Iid} was added to the train once (or once more after a drop behind a failing car)");
            var notes = gitLab.NotesOn(TrainWorld.ProjectId, mr.Iid).Where(n => n.Author.Id == gitLab.ApiUser.Id).Select(n => n.Body).ToList();
            // Exactly the notes the train decided, each once: none lost, none posted twice.
            notes.Order(StringComparer.Ordinal).ShouldBe(
                notesDecided.Where(n => n.Iid == mr.Iid).Select(n => n.Body).Order(StringComparer.Ordinal),
                $"!{mr.Iid} got each note the train decided exactly once");
            switch (planned.Fate)
            {
                case Fate.Merges:
                    mr.State.ShouldBe(MergeRequestStates.Merged, $"good MR !{mr.Iid} ({planned.Branch}) was merged; its cars: {string.Join(", ", carsOfMr)}; its notes: {string.Join(" | ", notes)}");
                    mergedBy.ShouldContainKey(mr.Sha, $"!{mr.Iid} is merged by exactly one target commit");
                    notes.Count(n => n.StartsWith("merged by the merge train", StringComparison.Ordinal)).ShouldBe(1, $"!{mr.Iid} got its merge note once");
                    carsOfMr.Count(c => c.Status == "merged").ShouldBe(1, $"!{mr.Iid}'s car is merged");
                    summary.merged++;
                    break;
                case Fate.FailsPipeline:
                case Fate.Conflicts:
                    mr.State.ShouldNotBe(MergeRequestStates.Merged, $"bad MR !{mr.Iid} ({planned.Fate}) never reached the target");
                    mergedBy.ShouldNotContainKey(mr.Sha);
                    (await GitLog.IsAncestorAsync(repository, mr.Sha, target)).ShouldBeFalse($"!{mr.Iid}'s commit is not in the target");
                    carsOfMr[0].Status.ShouldBe("dropped", $"bad MR !{mr.Iid} ({planned.Fate}) was removed from the train");
                    var reason = planned.Fate == Fate.FailsPipeline ? "because the pipeline did not succeed" : "because it has merge conflicts";
                    notes.Count(n => n.Contains("removed this merge request from the merge train " + reason, StringComparison.Ordinal))
                        .ShouldBe(1, $"!{mr.Iid} got one note saying it was removed {reason}; notes: {string.Join(" | ", notes)}");
                    if (planned.Fate == Fate.FailsPipeline)
                    {
                        summary.failed++;
                    }
                    else
                    {
                        summary.conflicted++;
                    }

                    break;
            }
        }

        // 4. Nothing left on the train or in the service's queue.
        cars.Where(c => c.Finished == false).ShouldBeEmpty("no car is left on the train");
        (await ScalarAsync("SELECT count(*) FROM work_requests")).ShouldBe(0, "no work is left requested");
        (await ScalarAsync("SELECT count(*) FROM train_effects WHERE state <> 'done'")).ShouldBe(0, "every effect was performed");
        (await ScalarAsync("SELECT count(*) FROM pipelines WHERE abandoned_at IS NULL AND status NOT IN ('success', 'failed', 'canceled', 'skipped')"))
            .ShouldBe(0, "every pipeline the train cancelled or left behind is recorded as abandoned or finished, so none is polled for ever");

        // 5. No car pipeline was started twice for one commit.
        var carPipelines = pipelines.Where(p => p.Ref.StartsWith("merge-train/", StringComparison.Ordinal)).ToList();
        carPipelines.GroupBy(p => p.Sha).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(p => "#" + p.Id))}")
            .ShouldBeEmpty("no car's pipeline was started twice");

        return new ChaosSummary(summary.merged, summary.failed + summary.conflicted, summary.failed, summary.conflicted, moves.Count, carPipelines.Count);
    }

    /// <summary>Each update of <c>refs/heads/main</c> as (before, after), from the repository's reflog file.</summary>
    private async Task<List<(string Before, string After)>> TargetMovesAsync()
    {
        var log = Path.Combine(repository, "logs", "refs", "heads", "main");
        var moves = new List<(string, string)>();
        foreach (var line in await File.ReadAllLinesAsync(log))
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && fields[0] != new string('0', 40))
            {
                moves.Add((fields[0], fields[1]));
            }
        }

        return moves;
    }

    private async Task<List<(long Iid, string Body)>> NotesDecidedAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT (effect->>'Iid')::bigint, effect->>'Body' FROM train_effects WHERE effect->>'kind' = 'post_note'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var notes = new List<(long, string)>();
        while (await reader.ReadAsync())
        {
            notes.Add((reader.GetInt64(0), reader.GetString(1)));
        }

        return notes;
    }

    /// <summary>Every car the train had, with why it was dropped (null otherwise): a failure message then says why a good MR did not merge.</summary>
    private async Task<List<(long Iid, string Status, bool Finished, string? DropReason)>> CarsAsync()
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT iid, status, finished_at IS NOT NULL, drop_reason FROM cars", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var cars = new List<(long, string, bool, string?)>();
        while (await reader.ReadAsync())
        {
            cars.Add((reader.GetInt32(0), reader.GetString(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }

        return cars;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
