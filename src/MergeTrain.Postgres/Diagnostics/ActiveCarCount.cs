namespace MergeTrain.Postgres.Diagnostics;

/// <summary>How many unfinished cars have one status on one train.</summary>
/// <param name="Status">The car status's wire name, as stored.</param>
/// <param name="Project">The project's path.</param>
/// <param name="TargetBranch">The train's target branch.</param>
/// <param name="Count">At least 1: combinations without cars are absent.</param>
public sealed record ActiveCarCount(string Status, string Project, string TargetBranch, long Count);
