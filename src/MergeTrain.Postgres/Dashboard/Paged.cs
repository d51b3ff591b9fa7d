namespace MergeTrain.Postgres.Dashboard;

/// <summary>One page of a list and how long the whole list is.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, long Total);
