using System.Text.Json;
using MergeTrain.Application.Tests.Trains;
using MergeTrain.Application.Tests.Work;
using MergeTrain.Application.Trains;
using MergeTrain.Core.Trains;
using MergeTrain.Postgres.Api;
using MergeTrain.Postgres.Trains;
using MergeTrain.Postgres.Work;
using MergeTrain.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NUnit.Framework;
using Shouldly;

namespace MergeTrain.Application.Tests.Api;

/// <summary>The API's reads of stored cars: what they take out of the stored JSON, and the scopes by status name.</summary>
public class CarQueriesTests
{
    private const long ProjectId = 7;
    private NpgsqlDataSource _dataSource = null!;
    private TrainProcessor _processor = null!;
    private long _train;

    [SetUp]
    public async Task SetUp()
    {
        _dataSource = await ServiceDatabase.CreateAsync();
        _processor = new TrainProcessor(
            _dataSource, new SimulatedWorld(), new InlineWorkScheduler(), new ExclusiveWork(_dataSource, TimeProvider.System, NullLogger<ExclusiveWork>.Instance),
            TimeProvider.System, NullLogger<TrainProcessor>.Instance);
        await using var connection = await _dataSource.OpenConnectionAsync();
        await TrainStore.UpsertProjectAsync(connection, null, ProjectId, "group/project", new TrainSettings(), DateTimeOffset.UtcNow);
        _train = await TrainStore.EnsureTrainAsync(connection, null, ProjectId, "group/project", "main", "t0", DateTimeOffset.UtcNow);
    }

    [TearDown]
    public async Task TearDown() => await _dataSource.DisposeAsync();

    [Test]
    public async Task The_user_who_added_a_car_is_found_through_the_property_the_stored_car_is_written_under()
    {
        await DecideAsync(Added(1, "alice"));
        await using var connection = await _dataSource.OpenConnectionAsync();
        await CarQueries.RememberUserAsync(connection, null, new GitLabUserRecord("alice", 31, "Alice Liddell", "active", null, null), DateTimeOffset.UtcNow);

        var view = (await CarQueries.ForMergeRequestAsync(connection, ProjectId, 1, CancellationToken.None)).ShouldNotBeNull();

        // The SQL reads the stored JSON under the property's C# name: renaming the property, or
        // giving it another JSON name, must fail here rather than lose every car's user silently.
        JsonDocument.Parse(view.Car).RootElement.GetProperty(nameof(Car.AddedBy)).GetString().ShouldBe("alice");
        (view.UserId, view.UserName).ShouldBe((31L, "Alice Liddell"));
    }

    [Test]
    public async Task Active_and_complete_scopes_and_dropped_cars_follow_the_stored_status_names()
    {
        await DecideAsync(Added(1, "alice"), Added(2, "bob"));
        var first = (await StateAsync()).Cars[0].Pipeline.ShouldNotBeNull();
        await DecideAsync(new PipelineStatusChanged(first.Id, first.Sha, first.Ref, PipelineStatus.Failed, null));
        await using var connection = await _dataSource.OpenConnectionAsync();

        async Task<int[]> PageAsync(string? scope, bool includeDropped) =>
            [.. (await CarQueries.PageAsync(connection, ProjectId, "main", scope, includeDropped, ascending: true, 1, 20, CancellationToken.None)).Cars.Select(c => c.Iid)];

        (await PageAsync("active", includeDropped: false)).ShouldBe([2]);
        (await PageAsync("complete", includeDropped: false)).ShouldBeEmpty();
        (await PageAsync("complete", includeDropped: true)).ShouldBe([1], "the dropped car");
        (await PageAsync(null, includeDropped: false)).ShouldBe([2]);
        (await PageAsync(null, includeDropped: true)).ShouldBe([1, 2]);
        (await CarQueries.ForMergeRequestAsync(connection, ProjectId, 1, CancellationToken.None, includeDropped: false)).ShouldBeNull();
        (await CarQueries.ForMergeRequestAsync(connection, ProjectId, 1, CancellationToken.None)).ShouldNotBeNull().Status.ShouldBe("dropped");
    }

    private static MergeRequestAdded Added(int iid, string actor) =>
        new(new MergeRequestSnapshot(iid, $"MR {iid}", $"feature-{iid}", "main", $"head-{iid}", false, MergeRequestState.Opened), null, actor);

    private async Task DecideAsync(params TrainEvent[] events)
    {
        await using (var connection = await _dataSource.OpenConnectionAsync())
        {
            var wakeups = new Wakeups();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var trainEvent in events)
            {
                await _processor.SubmitAsync(connection, transaction, _train, trainEvent, "test", wakeups);
            }

            await transaction.CommitAsync();
        }

        (await _processor.RunAsync(_train, CancellationToken.None)).ShouldBeTrue();
    }

    private async Task<TrainState> StateAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        return (await TrainStore.LockAsync(connection, transaction, _train)).State;
    }
}
