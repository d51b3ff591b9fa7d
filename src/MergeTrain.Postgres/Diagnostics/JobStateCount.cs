namespace MergeTrain.Postgres.Diagnostics;

/// <summary>How many Hangfire jobs are in one state.</summary>
/// <param name="State">The state's name as Hangfire's dashboard shows it (Enqueued, Succeeded, ...).</param>
/// <param name="Count">Hangfire's count; Succeeded and Deleted count since its history was last pruned.</param>
public sealed record JobStateCount(string State, long Count);
