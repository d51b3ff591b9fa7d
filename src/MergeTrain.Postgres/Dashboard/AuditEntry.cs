namespace MergeTrain.Postgres.Dashboard;

/// <summary>One audit record, with the path of its project.</summary>
public sealed record AuditEntry(
    long Id, DateTimeOffset OccurredAt, long ProjectId, string ProjectPath, string TargetBranch, string Actor, int? Iid, string? FromStatus, string? ToStatus, string Reason);
