using MergeTrain.Core.Trains;

namespace MergeTrain.Postgres.Dashboard;

/// <summary>One stay of a merge request on a train (a car added again later is another stay).</summary>
public sealed record CarStay(string TargetBranch, DateTimeOffset AddedAt, DateTimeOffset? FinishedAt, Car Car);
