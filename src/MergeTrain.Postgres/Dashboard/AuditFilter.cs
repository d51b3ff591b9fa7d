namespace MergeTrain.Postgres.Dashboard;

/// <summary>Which audit records to list; a null criterion matches every record.</summary>
public sealed record AuditFilter(long? ProjectId, string? TargetBranch, int? Iid);
